import { Box, Text } from 'ink';
import { useViewKeys } from '../key-router.js';
import { useSyncedState } from '../use-synced-state.js';
import { useMemo, useState } from 'react';
import type { CalcStatus } from '../../../core/calc-status.js';
import type {
  CalcSort,
  CampaignMonitor,
  MonitorSnapshot,
} from '../../../runtime/monitor/campaign-monitor.js';
import { elapsed } from '../cells.js';
import { Keys, Table, type Column } from '../components/table.js';
import { CalcDetail } from './calc-detail.js';
import { stateColour } from '../theme.js';

/** The status filters `f` cycles through. */
export const STATUS_FILTERS: readonly (readonly CalcStatus[])[] = [
  [],
  ['running', 'submitted'],
  ['failed'],
  ['queued'],
  ['succeeded'],
];
const SORTS: readonly CalcSort[] = ['updated', 'status', 'program', 'label'];

const COLUMNS: readonly Column[] = [
  { title: 'program', width: 8 },
  { title: 'method', width: 9 },
  { title: 'label', width: 0 },
  { title: 'state', width: 9 },
  { title: 'executor', width: 11 },
  { title: 'job', width: 8 },
  { title: 'elapsed', width: 7, align: 'right' },
  { title: 'failure', width: 14 },
];

/**
 * Every calc of the store, a page at a time (only the visible rows are read): ↑/↓ PgUp/PgDn
 * move, `f` filters by state, `/` by text, `s` sorts, Enter opens the calc (Esc comes back to
 * the same place in the list).
 */
export function Calcs(props: {
  readonly monitor: CampaignMonitor;
  readonly snapshot: MonitorSnapshot;
  readonly width: number;
  readonly height: number;
  readonly active: boolean;
  readonly onCancel: (key: string, name: string) => void;
}) {
  const [open, setOpen] = useState<string | undefined>(undefined);
  const [filter, setFilter] = useState(0);
  const [sort, setSort] = useState(0);
  const [text, setText] = useState('');
  const [typing, setTyping] = useState(false);
  const [cursor, setCursor, cursorNow] = useSyncedState(0);
  const rows = Math.max(3, props.height - 3);
  const offset = Math.max(0, Math.floor(cursor / rows) * rows);
  const statuses = STATUS_FILTERS[filter] ?? [];
  const page = useMemo(
    () =>
      props.monitor.calcPage({
        statuses,
        text,
        sort: SORTS[sort] ?? 'updated',
        offset,
        limit: rows,
      }),
    // storeVersion: read again only when the store changed.
    [props.monitor, props.snapshot.storeVersion, statuses, text, sort, offset, rows],
  );
  const last = Math.max(0, page.total - 1);
  useViewKeys(
    (input, key) => {
      if (typing) {
        if (key.return || key.escape) setTyping(false);
        else if (key.backspace || key.delete) setText((t) => t.slice(0, -1));
        else if (input !== '' && !key.ctrl && !key.meta) setText((t) => t + input);
        setCursor(0);
        return true;
      }
      if (key.downArrow || input === 'j') setCursor((c) => Math.min(last, c + 1));
      else if (key.upArrow || input === 'k') setCursor((c) => Math.max(0, c - 1));
      else if (key.pageDown) setCursor((c) => Math.min(last, c + rows));
      else if (key.pageUp) setCursor((c) => Math.max(0, c - rows));
      else if (input === 'g') setCursor(0);
      else if (input === 'G') setCursor(last);
      else if (input === 'f') {
        setFilter((f) => (f + 1) % STATUS_FILTERS.length);
        setCursor(0);
      } else if (input === 's') setSort((s) => (s + 1) % SORTS.length);
      else if (input === '/') setTyping(true);
      else if (key.return) {
        const row = page.rows[cursorNow.current - offset];
        if (row !== undefined) setOpen(row.key);
      } else return false;
      return true;
    },
    props.active && open === undefined,
  );
  if (open !== undefined) {
    return (
      <CalcDetail
        monitor={props.monitor}
        snapshot={props.snapshot}
        calcKey={open}
        width={props.width}
        active={props.active}
        onClose={() => {
          setOpen(undefined);
        }}
        onCancel={props.onCancel}
      />
    );
  }
  const now = new Date(props.snapshot.at);
  return (
    <Box flexDirection="column">
      <Text wrap="truncate-end">
        <Text bold>Calcs</Text> {page.total === 0 ? 0 : offset + 1}–{offset + page.rows.length} of{' '}
        {page.total} · state: {statuses.length === 0 ? 'all' : statuses.join('+')} · sort:{' '}
        {SORTS[sort]} · text:{' '}
        {typing ? <Text inverse>{`${text} `}</Text> : text === '' ? '—' : text}
      </Text>
      <Table
        columns={COLUMNS}
        width={props.width}
        empty="no calcs match"
        rows={page.rows.map((r, i) => ({
          id: r.key,
          current: offset + i === cursor,
          colour: stateColour(r.status),
          colourCell: 3,
          cells: [
            r.program,
            r.method ?? r.task,
            r.label ?? r.key.slice(0, 16),
            r.status,
            r.executor ?? '',
            r.jobId ?? '',
            elapsed(r.startedAt, r.endedAt, now),
            r.failureClass ?? '',
          ],
        }))}
      />
      <Keys
        keys={[
          ['↑↓', 'move'],
          ['Enter', 'open'],
          ['f', 'state filter'],
          ['/', 'text filter'],
          ['s', 'sort'],
        ]}
      />
    </Box>
  );
}
