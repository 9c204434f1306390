import { Box, Text } from 'ink';
import { useViewKeys } from '../key-router.js';
import { useMemo, useState } from 'react';
import { latestLog } from '../../../runtime/monitor/latest-log.js';
import { tailOfFile } from '../../../runtime/monitor/tail-file.js';
import type { MonitorSnapshot } from '../../../runtime/monitor/campaign-monitor.js';
import { Keys } from '../components/table.js';

/**
 * The newest run log of logs/ (headless runs write one), following its end; ↑/↓ scroll back,
 * `F` (or End) follows again.
 */
export function Logs(props: {
  readonly logsDir: string;
  readonly snapshot: MonitorSnapshot;
  readonly height: number;
  readonly active: boolean;
}) {
  const [back, setBack] = useState(0);
  const rows = Math.max(3, props.height - 2);
  const file = useMemo(() => latestLog(props.logsDir), [props.logsDir, props.snapshot.at]);
  const lines = useMemo(
    () => (file === undefined ? [] : tailOfFile(file, 2000).split('\n')),
    [file, props.snapshot.at],
  );
  useViewKeys((input, key) => {
    const most = Math.max(0, lines.length - rows);
    if (key.upArrow || input === 'k') setBack((b) => Math.min(most, b + 1));
    else if (key.downArrow || input === 'j') setBack((b) => Math.max(0, b - 1));
    else if (key.pageUp) setBack((b) => Math.min(most, b + rows));
    else if (key.pageDown) setBack((b) => Math.max(0, b - rows));
    else if (input === 'F' || input === 'G') setBack(0);
    else return false;
    return true;
  }, props.active);
  if (file === undefined) {
    return (
      <Text>
        No run log yet: runs write logs/run-….log when headless (a run started from here is).
      </Text>
    );
  }
  const end = lines.length - back;
  return (
    <Box flexDirection="column">
      <Text bold wrap="truncate-end">
        {file} {back === 0 ? '(following)' : `(${back} lines back)`}
      </Text>
      {lines.slice(Math.max(0, end - rows), end).map((line, i) => (
        <Text key={i} wrap="truncate-end">
          {line}
        </Text>
      ))}
      <Keys
        keys={[
          ['↑↓', 'scroll'],
          ['F', 'follow'],
        ]}
      />
    </Box>
  );
}
