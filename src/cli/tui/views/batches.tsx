import { Box, Text } from 'ink';
import { useViewKeys } from '../key-router.js';
import { useSyncedState } from '../use-synced-state.js';
import { useMemo, useState } from 'react';
import type {
  CampaignMonitor,
  MonitorSnapshot,
} from '../../../runtime/monitor/campaign-monitor.js';
import { clock } from '../cells.js';
import { Keys, Table, type Column } from '../components/table.js';
import { stateColour } from '../theme.js';

/** Item states counted in the batch list, in this order. */
const ITEM_STATES = ['OK', 'Rerun', 'Skip', 'To run', 'Running', 'Pending'] as const;
/** Items that `a` marks: those that did not come out right. */
const FAILED_STATES: readonly string[] = ['Skip', 'Rerun'];

const BATCH_COLUMNS: readonly Column[] = [
  { title: 'batch', width: 11 },
  { title: 'status', width: 9 },
  { title: 'size', width: 5, align: 'right' },
  { title: 'items', width: 0 },
  { title: 'strategy', width: 14 },
  { title: 'created', width: 11 },
];
const ITEM_COLUMNS: readonly Column[] = [
  { title: 'item', width: 14 },
  { title: 'status', width: 8 },
  { title: 'phase', width: 12 },
  { title: 'retries', width: 7, align: 'right' },
  { title: 'reason', width: 0 },
];

/** What the batches view asks the app to do with picked items. */
export interface BatchAction {
  readonly kind: 'requeue' | 'new_batch';
  readonly batchId: string;
  readonly itemIds: readonly string[];
}

/**
 * The dataset pipeline's batches with their items' counts; Enter opens a batch's items, where
 * space marks one, `a` marks every failed one (Skip, Rerun), `r` puts the marked back in the
 * queue and `n` runs them in a new batch.
 */
export function Batches(props: {
  readonly monitor: CampaignMonitor;
  readonly snapshot: MonitorSnapshot;
  readonly width: number;
  readonly height: number;
  readonly active: boolean;
  readonly onAction: (action: BatchAction) => void;
}) {
  const [cursor, setCursor] = useState(0);
  const [open, setOpen] = useState<string | undefined>(undefined);
  const [itemCursor, setItemCursor, itemCursorNow] = useSyncedState(0);
  const [marked, setMarked, markedNow] = useSyncedState<ReadonlySet<string>>(new Set());
  const batches = props.snapshot.batches;
  const items = useMemo(
    () => (open === undefined ? [] : props.monitor.batchItems(open)),
    [props.monitor, open, props.snapshot.storeVersion],
  );
  const rows = Math.max(3, props.height - 4);
  useViewKeys((input, key) => {
    if (open === undefined) {
      if (key.downArrow || input === 'j') setCursor((c) => Math.min(batches.length - 1, c + 1));
      else if (key.upArrow || input === 'k') setCursor((c) => Math.max(0, c - 1));
      else if (key.return && batches[cursor] !== undefined) {
        setOpen(batches[cursor].batchId);
        setItemCursor(0);
        setMarked(new Set());
      } else return false;
      return true;
    }
    const item = items[itemCursorNow.current];
    if (key.escape) setOpen(undefined);
    else if (key.downArrow || input === 'j')
      setItemCursor((c) => Math.min(items.length - 1, c + 1));
    else if (key.upArrow || input === 'k') setItemCursor((c) => Math.max(0, c - 1));
    else if (key.pageDown) setItemCursor((c) => Math.min(items.length - 1, c + rows));
    else if (key.pageUp) setItemCursor((c) => Math.max(0, c - rows));
    else if (input === ' ' && item !== undefined) {
      setMarked((m) => {
        const next = new Set(m);
        if (next.has(item.itemId)) next.delete(item.itemId);
        else next.add(item.itemId);
        return next;
      });
    } else if (input === 'a') {
      setMarked(
        new Set(items.filter((i) => FAILED_STATES.includes(i.status)).map((i) => i.itemId)),
      );
    } else if ((input === 'r' || input === 'n') && markedNow.current.size > 0) {
      props.onAction({
        kind: input === 'r' ? 'requeue' : 'new_batch',
        batchId: open,
        itemIds: [...markedNow.current],
      });
      setMarked(new Set());
    } else return false;
    return true;
  }, props.active);
  const now = new Date(props.snapshot.at);
  if (open === undefined) {
    return (
      <Box flexDirection="column">
        <Text bold>Batches ({batches.length})</Text>
        <Table
          columns={BATCH_COLUMNS}
          width={props.width}
          empty="no batches (retort batch run starts one)"
          rows={batches.map((b, i) => ({
            id: b.batchId,
            current: i === cursor,
            colour: stateColour(b.status),
            colourCell: 1,
            cells: [
              b.batchId,
              b.status,
              String(b.size),
              ITEM_STATES.filter((s) => (b.counts[s] ?? 0) > 0)
                .map((s) => `${s} ${b.counts[s] ?? 0}`)
                .join(' · '),
              b.strategy,
              clock(b.createdAt, now),
            ],
          }))}
        />
        <Keys
          keys={[
            ['↑↓', 'move'],
            ['Enter', 'items'],
          ]}
        />
      </Box>
    );
  }
  const start = Math.max(0, Math.floor(itemCursor / rows) * rows);
  return (
    <Box flexDirection="column">
      <Text>
        <Text bold>{open}</Text> ({batches.find((b) => b.batchId === open)?.pipeline ?? ''}) ·{' '}
        {items.length} items · {marked.size} marked
      </Text>
      <Table
        columns={ITEM_COLUMNS}
        width={props.width}
        rows={items.slice(start, start + rows).map((item, i) => ({
          id: item.itemId,
          current: start + i === itemCursor,
          marked: marked.has(item.itemId),
          colour: stateColour(item.status),
          colourCell: 1,
          cells: [item.itemId, item.status, item.phase, String(item.retryCount), item.reason ?? ''],
        }))}
      />
      <Keys
        keys={[
          ['space', 'mark'],
          ['a', 'mark failed'],
          ['r', 'requeue marked'],
          ['n', 'new batch of marked'],
          ['Esc', 'back'],
        ]}
      />
    </Box>
  );
}
