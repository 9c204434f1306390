import { Box, Text } from 'ink';
import { useViewKeys } from '../key-router.js';
import { useMemo } from 'react';
import type {
  CampaignMonitor,
  MonitorSnapshot,
} from '../../../runtime/monitor/campaign-monitor.js';
import { clock, elapsed, fit } from '../cells.js';
import { stateColour } from '../theme.js';

/**
 * One calc: its spec, attempts, result fields and the tails of stdout and stderr. Esc closes;
 * `x` cancels a calc not yet finished (after the app's y/N).
 */
export function CalcDetail(props: {
  readonly monitor: CampaignMonitor;
  readonly snapshot: MonitorSnapshot;
  readonly calcKey: string;
  readonly width: number;
  readonly active: boolean;
  readonly onClose: () => void;
  /** `x`: asks to cancel the calc (the app confirms first). */
  readonly onCancel: (key: string, name: string) => void;
}) {
  const detail = useMemo(
    () => props.monitor.calcDetail(props.calcKey, 8),
    [props.monitor, props.calcKey, props.snapshot.storeVersion],
  );
  useViewKeys((input, key) => {
    if (input === 'x' && detail !== undefined) {
      if (detail.calc.status !== 'succeeded' && detail.calc.status !== 'failed')
        props.onCancel(detail.calc.key, detail.calc.label ?? detail.calc.key.slice(0, 12));
      return true;
    }
    if (!key.escape && !key.backspace && input !== 'q') return false;
    props.onClose();
    return true;
  }, props.active);
  if (detail === undefined) return <Text>calc {props.calcKey} is not in the store</Text>;
  const { calc, attempts } = detail;
  const now = new Date(props.snapshot.at);
  const { molecule, structure, command, ...rest } = calc.spec;
  const width = props.width - 2;
  return (
    <Box flexDirection="column">
      <Text wrap="truncate-end">
        <Text bold>Calc </Text>
        {calc.key} <Text color={stateColour(calc.status)}>{calc.status}</Text>
        {calc.label === null ? '' : ` · ${calc.label}`}
      </Text>
      <Text wrap="truncate-end">spec {fit(JSON.stringify(rest), width - 5)}</Text>
      {molecule === undefined ? null : (
        <Text wrap="truncate-end">
          molecule {molecule.smiles ?? `${molecule.atoms?.length ?? 0} atoms`} · charge{' '}
          {molecule.charge} · multiplicity {molecule.multiplicity}
        </Text>
      )}
      {structure === undefined ? null : <Text>structure: {structure.sites.length} sites</Text>}
      {command === undefined ? null : (
        <Text wrap="truncate-end">argv {JSON.stringify(command.argv)}</Text>
      )}
      {calc.failure === null ? null : (
        <Text wrap="truncate-end" color={stateColour('failed')}>
          {calc.failure.class}: {calc.failure.message}
        </Text>
      )}
      <Text bold>Attempts</Text>
      {attempts.map((a) => (
        <Text key={a.attempt} wrap="truncate-end">
          {'  '}#{a.attempt} <Text color={stateColour(a.status)}>{a.status}</Text> {a.executor}{' '}
          {a.handle !== null && 'job_id' in a.handle
            ? `job ${JSON.stringify(a.handle.job_id)} `
            : ''}
          submitted {clock(a.submittedAt, now)} {elapsed(a.startedAt, a.endedAt, now)}
          {a.exitCode === null ? '' : ` exit ${a.exitCode}`}
          {a.failure === null ? '' : ` ${a.failure.class}`} {a.workdir}
        </Text>
      ))}
      {calc.result === null ? null : (
        <>
          <Text bold>Result</Text>
          <Text wrap="truncate-end">
            {'  '}
            {Object.entries(calc.result)
              .filter(([, v]) => typeof v !== 'object' || v === null)
              .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
              .join('  ')}
          </Text>
        </>
      )}
      <Text bold>stdout (tail)</Text>
      <Text dimColor>{detail.stdoutTail === '' ? '  (empty)' : detail.stdoutTail}</Text>
      <Text bold>stderr (tail)</Text>
      <Text dimColor>{detail.stderrTail === '' ? '  (empty)' : detail.stderrTail}</Text>
      <Text dimColor>
        Esc back
        {calc.status === 'succeeded' || calc.status === 'failed' ? '' : ' · x cancel this calc'}
      </Text>
    </Box>
  );
}
