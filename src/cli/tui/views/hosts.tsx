import { Box, Text } from 'ink';
import { useViewKeys } from '../key-router.js';
import { useSyncedState } from '../use-synced-state.js';
import type { MonitorSnapshot } from '../../../runtime/monitor/campaign-monitor.js';
import { Keys, Table, type Column } from '../components/table.js';
import { stateColour } from '../theme.js';

const COLUMNS: readonly Column[] = [
  { title: 'executor', width: 16 },
  { title: 'address', width: 22 },
  { title: 'in flight', width: 9, align: 'right' },
  { title: 'done', width: 7, align: 'right' },
  { title: 'failed', width: 7, align: 'right' },
  { title: 'check', width: 0 },
];

/** A host check's lines so far, and whether it passed (undefined while it runs). */
export interface HostCheck {
  readonly lines: readonly string[];
  readonly ok: boolean | undefined;
}

/**
 * This machine and every host of retort.yaml: calcs in flight and done there, and for SLURM
 * clusters the run's jobs as squeue last showed them. `c` checks the selected host (reachable,
 * programs found) without blocking the view.
 */
export function Hosts(props: {
  readonly snapshot: MonitorSnapshot;
  readonly width: number;
  readonly active: boolean;
  readonly checks: ReadonlyMap<string, HostCheck>;
  readonly onCheck: (host: string) => void;
}) {
  const [cursor, setCursor, cursorNow] = useSyncedState(0);
  const { snapshot: s } = props;
  const names = ['local', ...s.hosts.map((h) => `${h.type}:${h.name}`)];
  useViewKeys((input, key) => {
    if (key.downArrow || input === 'j') setCursor((c) => Math.min(names.length - 1, c + 1));
    else if (key.upArrow || input === 'k') setCursor((c) => Math.max(0, c - 1));
    else if (input === 'c') {
      const host = s.hosts[cursorNow.current - 1];
      if (host !== undefined) props.onCheck(host.name);
    } else return false;
    return true;
  }, props.active);
  const selected = s.hosts[cursor - 1];
  const check = selected === undefined ? undefined : props.checks.get(selected.name);
  const jobs = s.run?.scheduler_jobs ?? [];
  return (
    <Box flexDirection="column">
      <Text bold>Hosts</Text>
      <Table
        columns={COLUMNS}
        width={props.width}
        rows={names.map((name, i) => {
          const host = s.hosts[i - 1];
          const counts = s.executors.find((e) => e.executor === name)?.counts;
          const c = host === undefined ? undefined : props.checks.get(host.name);
          return {
            id: name,
            current: i === cursor,
            colour: c?.ok === undefined ? undefined : stateColour(c.ok ? 'succeeded' : 'failed'),
            colourCell: 5,
            cells: [
              name,
              host === undefined ? 'this machine' : address(host),
              String((counts?.submitted ?? 0) + (counts?.running ?? 0)),
              String(counts?.succeeded ?? 0),
              String(counts?.failed ?? 0),
              c === undefined ? '' : c.ok === undefined ? 'checking…' : c.ok ? 'ok' : 'FAILED',
            ],
          };
        })}
      />
      {jobs.length === 0 ? null : (
        <Box flexDirection="column" marginTop={1}>
          <Text bold>SLURM jobs of this run</Text>
          {jobs.slice(0, 10).map((j, i) => (
            <Text key={`${j.job_id ?? 'new'}${i}`} wrap="truncate-end">
              {'  '}
              {(j.job_id ?? '(submitting)').padEnd(10)} {j.state.padEnd(10)} {j.mode} · {j.calcs}{' '}
              calcs · {j.name}
            </Text>
          ))}
        </Box>
      )}
      {check === undefined ? null : (
        <Box flexDirection="column" marginTop={1}>
          <Text bold>Check of {selected?.name}</Text>
          {check.lines.slice(-8).map((line, i) => (
            <Text key={i} wrap="truncate-end">
              {'  '}
              {line}
            </Text>
          ))}
        </Box>
      )}
      <Keys
        keys={[
          ['↑↓', 'move'],
          ['c', 'check host'],
        ]}
      />
    </Box>
  );
}

function address(host: MonitorSnapshot['hosts'][number]): string {
  if (host.type === 'slurm') return host.via === undefined ? 'sbatch here' : `via ${host.via}`;
  const user = host.user === undefined ? '' : `${host.user}@`;
  return `${user}${host.hostname ?? host.alias ?? host.name}${host.port === undefined ? '' : `:${host.port}`}`;
}
