import { Box, Text } from 'ink';

const KEYS: readonly (readonly [string, string])[] = [
  ['1 … 5, Tab', 'Overview, Calcs, Batches, Hosts, Logs'],
  ['↑ ↓ j k, PgUp PgDn, g G', 'move in a list'],
  ['Enter / Esc', 'open / close (a calc, a batch)'],
  ['f, /, s', 'Calcs: filter by state, filter by text, sort'],
  ['space, a', 'Batches: mark an item, mark every failed item'],
  ['r, n', 'Batches: requeue the marked items, run them in a new batch'],
  ['c', 'Hosts: check the selected host'],
  ['S', 'stop gracefully: running calcs finish, nothing new starts'],
  ['K', 'stop now: running calcs are killed and requeued'],
  ['R', 'start the last run again in the background (resume)'],
  ['F', 'start the last run again with --retry-failed'],
  ['q', 'quit (a run goes on without the UI)'],
];

/** The keys, on `?`; any key closes it. */
export function Help() {
  return (
    <Box flexDirection="column">
      <Text bold>Keys</Text>
      {KEYS.map(([key, meaning]) => (
        <Text key={key}>
          {'  '}
          <Text bold>{key.padEnd(26)}</Text>
          {meaning}
        </Text>
      ))}
      <Text dimColor>Any key closes this help. Actions that stop or start ask first.</Text>
    </Box>
  );
}
