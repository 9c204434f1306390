import { Box, Text } from 'ink';
import { fit } from '../cells.js';
import { colour } from '../theme.js';

/** A column: its title, width in terminal columns (0: what is left), alignment. */
export interface Column {
  readonly title: string;
  readonly width: number;
  readonly align?: 'left' | 'right';
}

/** A row: its cells, the colour of its state cell (index `colourCell`), and its marks. */
export interface Row {
  readonly id: string;
  readonly cells: readonly string[];
  readonly colour?: string | undefined;
  readonly colourCell?: number;
  /** The cursor is on it. */
  readonly current?: boolean;
  /** Picked for an action (multi-select). */
  readonly marked?: boolean;
}

/**
 * Rows under a header, each cell fitted to its column, the rest of the width given to the one
 * column of width 0. The current row is drawn in inverse video (visible without colours);
 * marked rows start with `*`.
 */
export function Table(props: {
  readonly columns: readonly Column[];
  readonly rows: readonly Row[];
  readonly width: number;
  readonly empty?: string;
}) {
  const fixed = props.columns.reduce((sum, c) => sum + c.width + 1, 2);
  const widths = props.columns.map((c) =>
    c.width === 0 ? Math.max(8, props.width - fixed) : c.width,
  );
  const line = (cells: readonly string[]): string[] =>
    cells.map((cell, i) => fit(cell, widths[i] ?? 8, props.columns[i]?.align));
  return (
    <Box flexDirection="column">
      <Text bold>{`  ${line(props.columns.map((c) => c.title)).join(' ')}`}</Text>
      {props.rows.length === 0 ? (
        <Text dimColor>{`  ${props.empty ?? '(none)'}`}</Text>
      ) : (
        props.rows.map((row) => {
          const cells = line(row.cells);
          const mark = row.marked === true ? '* ' : '  ';
          const at = row.colourCell ?? -1;
          return (
            <Text key={row.id} inverse={row.current === true}>
              {mark}
              {cells.map((cell, i) => (
                <Text key={i} color={i === at ? row.colour : undefined}>
                  {i === 0 ? cell : ` ${cell}`}
                </Text>
              ))}
            </Text>
          );
        })
      )}
    </Box>
  );
}

/** A one-line key hint: `key` bold, its meaning plain. */
export function Keys(props: { readonly keys: readonly (readonly [string, string])[] }) {
  return (
    <Text wrap="truncate-end">
      {props.keys.map(([key, meaning], i) => (
        <Text key={key}>
          {i === 0 ? '' : '  '}
          <Text bold color={colour('cyan')}>
            {key}
          </Text>{' '}
          {meaning}
        </Text>
      ))}
    </Text>
  );
}
