import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { packagePath } from '../../core/package-path.js';

/**
 * Workflows shipped with retort: `workflows/NAME.yaml` of the package. A command that takes a
 * workflow FILE takes the NAME of one of them too (`retort workflow run crystal-three-step`);
 * a file of that name in the current directory comes first.
 */
export const BUILTIN_WORKFLOWS = packagePath('workflows');

const NAME = /^[A-Za-z0-9_-]+$/;

/** The names of the built-in workflows, sorted. */
export function builtinWorkflowNames(): string[] {
  if (!existsSync(BUILTIN_WORKFLOWS)) return [];
  return readdirSync(BUILTIN_WORKFLOWS)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.slice(0, -'.yaml'.length))
    .sort();
}

/** The file a workflow argument names: an existing path as given, else a built-in's file. */
export function workflowPath(ref: string): string {
  if (existsSync(ref) || !NAME.test(ref)) return ref;
  const builtin = join(BUILTIN_WORKFLOWS, `${ref}.yaml`);
  return existsSync(builtin) ? builtin : ref;
}
