import { writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { InputError } from '../../core/errors.js';
import { analyzeMbe } from '../../pipelines/mbe/analyze.js';
import { planCounts, formatPlan } from '../../pipelines/mbe/plan.js';
import { checkMbeFile, planMbeFile } from '../../pipelines/mbe/run-file.js';
import { DEFAULT_MAX_TASKS, WARN_TASKS } from '../../pipelines/mbe/size.js';
import { parseCount } from '../session.js';
import { MbeInputErrors } from '../../pipelines/mbe/problems.js';
import { readMbeFile } from '../../pipelines/mbe/read.js';
import { writeMbeInput, type ConvertTarget } from '../../pipelines/mbe/write.js';
import { registerMbeRun } from './mbe-run.js';

/**
 * `retort mbe …`: many-body expansions in QCManyBody's semantics.
 *
 *   validate FILE [--max-tasks N]      every mistake of an input, one line each (exit 2); every
 *                                      subsystem calc prepared by its engine, as `mbe run` does
 *   plan FILE [--json] [--tasks] [--max-tasks N]   task counts per mc / n-body / treatment
 *   convert FILE --to yaml|json|qcschema [--output F]
 *   analyze CASE.json [--output F]     components computed elsewhere → result JSON
 *
 * FILE: our YAML/JSON layout, QCManyBody's ManyBodyInput (QCSchema v1/v2) or a qcmb case.
 */
export function registerMbe(program: Command): void {
  const mbe = program
    .command('mbe')
    .summary('many-body expansions (QCManyBody semantics): validate, plan, run, convert, analyze')
    .description(
      'Many-body expansions with the semantics of MolSSI QCManyBody: nocp, cp and vmfc treatments, multilevel and supersystem levels, energies, gradients and Hessians. Inputs: our YAML/JSON layout, QCManyBody ManyBodyInput JSON (QCSchema v1 or v2), or a qcmb case document.',
    );

  mbe
    .command('validate')
    .summary(
      'check an MBE input and every subsystem calc as run would; print every mistake, one line each',
    )
    .argument('<file>', 'input file (YAML or JSON)')
    .option('--max-tasks <n>', MAX_TASKS_HELP)
    .action((file: string, options: { maxTasks?: string }) => {
      const maxTasks = parseCount(options.maxTasks, '--max-tasks');
      try {
        const { read, plan, warning } = checkMbeFile(file, maxTasks);
        const { input, format } = read;
        warn(warning);
        process.stdout.write(
          `${basename(file)}: valid (${format} layout; ${input.molecule.fragments.length} fragments, ${input.molecule.symbols.length} atoms; ${input.driver}; bsse ${plan.bsse_type.join(', ')}; max_nbody ${input.max_nbody}; ${plan.tasks.length} tasks)\n`,
        );
      } catch (error) {
        if (!(error instanceof MbeInputErrors)) throw error;
        for (const problem of error.problems) process.stderr.write(`retort: ${problem.message}\n`);
        process.exitCode = 2;
      }
    });

  mbe
    .command('plan')
    .summary('list the tasks of an MBE input without running anything')
    .argument('<file>', 'input file (YAML or JSON)')
    .option('--json', 'print the plan as JSON (counts and task labels)')
    .option('--tasks', 'also list every task label')
    .option('--max-tasks <n>', MAX_TASKS_HELP)
    .action((file: string, options: { json?: boolean; tasks?: boolean; maxTasks?: string }) => {
      const planned = planMbeFile(file, parseCount(options.maxTasks, '--max-tasks'));
      const { plan } = planned;
      const { input } = planned.read;
      warn(planned.warning);
      if (options.json === true) {
        const out = {
          nfragments: plan.nfragments,
          natoms: input.molecule.symbols.length,
          driver: input.driver,
          max_nbody: plan.max_nbody,
          bsse_type: input.bsse_type,
          bsse_type_effective: plan.bsse_type,
          return_total_data: plan.return_total_data,
          supersystem_ie_only: plan.supersystem_ie_only,
          nbodies_per_mc_level: Object.fromEntries(plan.nbodies_per_mc_level),
          counts: planCounts(plan),
          calcinfo_nmbe: plan.tasks.length,
          task_labels: plan.tasks.map((t) => t.label),
        };
        process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
        return;
      }
      process.stdout.write(formatPlan(plan));
      if (options.tasks === true) {
        process.stdout.write('\n');
        for (const t of plan.tasks) process.stdout.write(`${t.label}\n`);
      }
    });

  mbe
    .command('convert')
    .summary('rewrite an MBE input as our YAML or JSON, or as QCManyBody ManyBodyInput')
    .argument('<file>', 'input file (any accepted layout)')
    .requiredOption('--to <format>', 'yaml, json or qcschema (ManyBodyInput v2)', parseTarget)
    .option('--output <file>', 'write here instead of to stdout')
    .action((file: string, options: { to: ConvertTarget; output?: string }) => {
      const { input } = readMbeFile(file);
      const text = writeMbeInput(input, options.to);
      if (options.output === undefined) process.stdout.write(text);
      else {
        writeFileSync(options.output, text);
        process.stdout.write(`wrote ${options.output}\n`);
      }
    });

  mbe
    .command('analyze')
    .summary('assemble MBE results from component results computed elsewhere')
    .description(
      'Reads a document in the layout of ../shared/data/qcmb/*.json (molecule, model_chemistries, driver, keywords, components keyed by QCManyBody labels), prints the n-body table(s) and writes the result JSON (QCManyBody ManyBodyResult shape: properties, cluster_properties, return_result, plus ret_energy / ret_gradient / ret_hessian and the body dicts).',
    )
    .argument('<case>', 'case document (JSON or YAML)')
    .option('--output <file>', 'result JSON (default: CASE.result.json in the current directory)')
    .action((file: string, options: { output?: string }) => {
      const read = readMbeFile(file);
      if (read.components === undefined) {
        throw new InputError(
          basename(file),
          'no components: analyze needs a case document with task results under "components"',
        );
      }
      const result = analyzeMbe(read.input, read.components);
      const output =
        options.output ?? `${basename(file).replace(/\.(json|ya?ml)$/i, '')}.result.json`;
      writeFileSync(output, `${JSON.stringify(result, null, 2)}\n`);
      process.stdout.write(result.stdout);
      process.stdout.write(
        `   return_energy: ${result.ret_energy.toFixed(12)} Eh; wrote ${output}\n`,
      );
    });

  registerMbeRun(mbe);
}

const MAX_TASKS_HELP = `refuse an expansion of more unique tasks than this (default: the input's execution.max_tasks, else ${DEFAULT_MAX_TASKS}); above ${WARN_TASKS} a warning gives the count and memory`;

function warn(warning: string | undefined): void {
  if (warning !== undefined) process.stderr.write(`retort: warning: ${warning}\n`);
}

function parseTarget(value: string): ConvertTarget {
  if (value === 'yaml' || value === 'json' || value === 'qcschema') return value;
  throw new InvalidArgumentError('expected yaml, json or qcschema');
}
