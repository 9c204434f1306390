import { Box, Text } from 'ink';
import { colour } from '../theme.js';

/** A question waiting for y (do it) or n/Esc (don't); the app routes those keys here. */
export function Confirm(props: { readonly question: string }) {
  return (
    <Box borderStyle="round" borderColor={colour('yellow')} paddingX={1}>
      <Text>
        {props.question} <Text bold>[y/N]</Text>
      </Text>
    </Box>
  );
}
