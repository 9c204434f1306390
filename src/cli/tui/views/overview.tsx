import { Box, Text } from 'ink';
import type { MonitorSnapshot } from '../../../runtime/monitor/campaign-monitor.js';
import { clock, shortDuration } from '../cells.js';
import { sparkline } from '../sparkline.js';
import { stateColour } from '../theme.js';

/** The run at a glance: state, counts, throughput, ETA, completions, executors, failures. */
export function Overview(props: { readonly snapshot: MonitorSnapshot; readonly width: number }) {
  const { snapshot: s, width } = props;
  const run = s.run;
  const now = new Date(s.at);
  const lastTen = s.completions.slice(-10).reduce((a, b) => a + b, 0);
  return (
    <Box flexDirection="column">
      {run === undefined ? (
        <Text>No run yet in this campaign.</Text>
      ) : (
        <>
          <Text wrap="truncate-end">
            <Text bold>Run </Text>
            {run.run_id} <Text color={stateColour(run.state)}>{run.state}</Text>
            {liveness(s)} · {run.executor}, {run.workers} workers · since{' '}
            {clock(run.started_at, now)}
          </Text>
          <Text wrap="truncate-end" dimColor>
            {run.command}
          </Text>
          <Progress snapshot={s} width={width} />
          <Text wrap="truncate-end">
            <Text bold>Throughput </Text>
            {(lastTen / 10).toFixed(1)} calcs/min (last 10 min)
            {run.rolling_avg_s === null ? '' : ` · ${shortDuration(run.rolling_avg_s)} per calc`}
            {run.eta_s === null || !isLive(s) ? '' : ` · ETA ${shortDuration(run.eta_s)}`}
          </Text>
          {run.message === null ? null : (
            <Text wrap="truncate-end" color={stateColour(run.state)}>
              {run.message}
            </Text>
          )}
        </>
      )}
      <Text wrap="truncate-end">
        <Text bold>Completions </Text>
        {sparkline(s.completions)}{' '}
        <Text dimColor>(per minute, last {s.completions.length} min)</Text>
      </Text>
      <Text wrap="truncate-end">
        <Text bold>Store </Text>
        <Text color={stateColour('succeeded')}>{s.counts.succeeded} succeeded</Text> ·{' '}
        <Text color={stateColour('failed')}>{s.counts.failed} failed</Text> · {s.counts.queued}{' '}
        queued · {s.counts.submitted + s.counts.running} in flight
        {s.stopRequested ? ' · STOP requested' : ''}
      </Text>
      <Box flexDirection="column" marginTop={1}>
        <Text bold>Executors</Text>
        {s.executors.length === 0 ? <Text dimColor> none used yet</Text> : null}
        {s.executors.map((e) => (
          <Text key={e.executor} wrap="truncate-end">
            {'  '}
            {e.executor.padEnd(14)} {e.counts.submitted} submitted · {e.counts.running} running ·{' '}
            {e.counts.succeeded} done · {e.counts.failed} failed
            {e.job_ids.length === 0 ? '' : ` · jobs ${e.job_ids.slice(0, 8).join(' ')}`}
          </Text>
        ))}
      </Box>
      {run === undefined || run.recent_failures.length === 0 ? null : (
        <Box flexDirection="column" marginTop={1}>
          <Text bold>Recent failures</Text>
          {run.recent_failures.slice(0, 5).map((f) => (
            <Text key={`${f.key}${f.at}`} wrap="truncate-end">
              {'  '}
              <Text color={stateColour('failed')}>{f.class}</Text> {f.label ?? f.key.slice(0, 12)} (
              {f.program}): {f.message}
            </Text>
          ))}
        </Box>
      )}
    </Box>
  );
}

function isLive(s: MonitorSnapshot): boolean {
  return s.runner.alive && (s.run?.state === 'running' || s.run?.state === 'stopping');
}

function liveness(s: MonitorSnapshot): string {
  if (s.runner.alive) return ` (runner pid ${s.runner.pid ?? '?'})`;
  const state = s.run?.state;
  return state === 'running' || state === 'stopping'
    ? ' (runner gone: interrupted; R resumes it)'
    : ' (no runner alive: last state shown)';
}

function Progress(props: { readonly snapshot: MonitorSnapshot; readonly width: number }) {
  const t = props.snapshot.run?.totals;
  if (t === undefined) return null;
  const barWidth = Math.max(10, Math.min(40, props.width - 60));
  const done = t.total === 0 ? 0 : t.completed / t.total;
  const filled = Math.round(done * barWidth);
  return (
    <Text wrap="truncate-end">
      <Text bold>Progress </Text>
      <Text color={stateColour('succeeded')}>{'█'.repeat(filled)}</Text>
      {'░'.repeat(barWidth - filled)} {t.completed}/{t.total} {Math.round(done * 100)}% · ok{' '}
      {t.succeeded} · cached {t.cached} · failed {t.failed} · running {t.running} · queued{' '}
      {t.queued}
    </Text>
  );
}
