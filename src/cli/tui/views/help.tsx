import { Box, Text } from 'ink';

const KEYS: readonly (readonly [string, string])[] = [
  ['1 … 7, Tab', 'Overview Calcs Batches Hosts Logs Workflows Templates'],
  ['↑ ↓ j k, PgUp PgDn, g G', 'move in a list'],
  ['Enter / Esc', 'open / close (a calc, a batch, an instance)'],
  ['f, /, s, x', 'Calcs: filter by state, by text, sort; cancel an open calc'],
  ['space, a', 'Batches: mark an item, mark every failed item'],
  ['r, n', 'Batches: requeue the marked, run them in a new batch'],
  ['c', 'Hosts: check the selected host'],
  ['f, w, ← →', 'Workflows: state filter, next workflow, more steps'],
  ['Enter', 'Workflows: an instance’s DAG; there, a step’s calc'],
  ['Enter, ← →, space', 'Templates: open a form, edit, cycle a choice, toggle'],
  ['p, r', 'Templates: preview the input, run it as a calc'],
  ['S', 'stop gracefully: running calcs finish, none starts'],
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
        <Text key={`${key} ${meaning}`}>
          {'  '}
          <Text bold>{key.padEnd(24)}</Text>
          {meaning}
        </Text>
      ))}
      <Text dimColor>Any key closes this help. Actions that stop or start ask first.</Text>
    </Box>
  );
}
