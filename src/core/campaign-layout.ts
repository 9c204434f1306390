import { join } from 'node:path';

/** The file whose presence makes a directory a campaign. */
export const SETTINGS_FILE = 'retort.yaml';

/**
 * Where everything of a campaign lives (DESIGN.md, "A campaign on disk"):
 *
 * ```
 * retort.yaml   settings          retort.db   the store (SQLite, WAL)
 * work/ab/abcd… one directory per calc key (`.retort/` inside holds pid and exit markers)
 * details/      per-item JSON      exports/    CSV and JSON views of the store
 * status.json   live run status    STOP        create it to stop gracefully
 * cancel/KEY    a request to cancel one calc (runtime/control/cancel-request.ts)
 * logs/         run logs           retort.lock the runner's lock (pid, start time)
 * templates/    the campaign's own input templates (NAME.j2), beside the built-in ones
 * ```
 */
export interface CampaignPaths {
  readonly root: string;
  readonly settings: string;
  readonly db: string;
  readonly work: string;
  readonly details: string;
  readonly exports: string;
  readonly status: string;
  readonly stop: string;
  readonly cancel: string;
  readonly logs: string;
  readonly lock: string;
  readonly templates: string;
}

export function campaignPaths(root: string): CampaignPaths {
  return {
    root,
    settings: join(root, SETTINGS_FILE),
    db: join(root, 'retort.db'),
    work: join(root, 'work'),
    details: join(root, 'details'),
    exports: join(root, 'exports'),
    status: join(root, 'status.json'),
    stop: join(root, 'STOP'),
    cancel: join(root, 'cancel'),
    logs: join(root, 'logs'),
    lock: join(root, 'retort.lock'),
    templates: join(root, 'templates'),
  };
}

/** The calc directory of a key: `work/<first two hex digits>/<key>`. */
export function calcWorkdir(paths: CampaignPaths, key: string): string {
  return join(paths.work, key.slice(0, 2), key);
}
