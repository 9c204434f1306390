import { Box, Text } from 'ink';
import { useEffect, useMemo, useState } from 'react';
import type { StepDrawState } from '../../../pipelines/workflow/graph/index.js';
import {
  WorkflowBrowser,
  type WorkflowBoard,
} from '../../../pipelines/workflow/workflow-browse.js';
import type {
  CampaignMonitor,
  MonitorSnapshot,
} from '../../../runtime/monitor/campaign-monitor.js';
import { fit } from '../cells.js';
import { Keys } from '../components/table.js';
import { useViewKeys } from '../key-router.js';
import { STEP_MARKS } from '../step-states.js';
import { stateColour } from '../theme.js';
import { useSyncedState } from '../use-synced-state.js';
import { WorkflowInstance } from './workflow-instance.js';

/** The step states `f` cycles through: an instance shows when one of its steps is in it. */
export const STEP_FILTERS: readonly (StepDrawState | 'all')[] = [
  'all',
  'failed',
  'running',
  'pending',
  'skipped',
  'cached',
  'succeeded',
];

const INSTANCE_WIDTH = 16;
const STATUS_WIDTH = 7;

/**
 * The campaign's workflows: per workflow (`w` the next one) its instances × steps, each cell the
 * step's state (mark, word, colour); ↑/↓ PgUp/PgDn move through the instances, ←/→ through the
 * steps when they do not all fit, `f` filters by step state, Enter opens an instance's DAG.
 */
export function Workflows(props: {
  readonly monitor: CampaignMonitor;
  readonly snapshot: MonitorSnapshot;
  readonly width: number;
  readonly height: number;
  readonly active: boolean;
  /** `x` on a step's calc: cancel it (app.tsx asks y/N first). */
  readonly onCancel: (key: string, name: string) => void;
}) {
  const browser = useMemo(() => WorkflowBrowser.open(props.monitor.root), [props.monitor]);
  useEffect(
    () => () => {
      browser.close();
    },
    [browser],
  );
  // storeVersion: read again only when the store changed.
  const boards = useMemo(() => browser.boards(), [browser, props.snapshot.storeVersion]);
  const [which, setWhich] = useState(0);
  const [filter, setFilter] = useState(0);
  const [firstStep, setFirstStep] = useState(0);
  const [open, setOpen] = useState<string | undefined>(undefined);
  const [cursor, setCursor, cursorNow] = useSyncedState(0);
  const board: WorkflowBoard | undefined = boards[Math.min(which, boards.length - 1)];
  const wanted = STEP_FILTERS[filter] ?? 'all';
  const shown = useMemo(
    () =>
      (board?.instances ?? []).filter(
        (i) => wanted === 'all' || i.states.some((s) => s === wanted),
      ),
    [board, wanted],
  );
  const rows = Math.max(3, props.height - 4);
  const last = Math.max(0, shown.length - 1);
  const steps = board?.steps ?? [];
  const free = props.width - 2 - INSTANCE_WIDTH - 1 - STATUS_WIDTH;
  const stepWidth = Math.max(
    4,
    Math.min(12, Math.floor(free / Math.max(1, steps.length)) - 1, longest(steps) + 2),
  );
  const fits = Math.max(1, Math.floor(free / (stepWidth + 1)));
  useViewKeys(
    (input, key) => {
      if (key.downArrow || input === 'j') setCursor((c) => Math.min(last, c + 1));
      else if (key.upArrow || input === 'k') setCursor((c) => Math.max(0, c - 1));
      else if (key.pageDown) setCursor((c) => Math.min(last, c + rows));
      else if (key.pageUp) setCursor((c) => Math.max(0, c - rows));
      else if (input === 'g') setCursor(0);
      else if (input === 'G') setCursor(last);
      else if (key.rightArrow || input === 'l')
        setFirstStep((s) => Math.min(Math.max(0, steps.length - fits), s + 1));
      else if (key.leftArrow || input === 'h') setFirstStep((s) => Math.max(0, s - 1));
      else if (input === 'f') {
        setFilter((f) => (f + 1) % STEP_FILTERS.length);
        setCursor(0);
      } else if (input === 'w' && boards.length > 1) {
        setWhich((w) => (w + 1) % boards.length);
        setCursor(0);
        setFirstStep(0);
      } else if (key.return) {
        const row = shown[cursorNow.current];
        if (row !== undefined) setOpen(row.id);
      } else return false;
      return true;
    },
    props.active && open === undefined,
  );
  const opened = open === undefined ? undefined : board?.instances.find((i) => i.id === open);
  if (board !== undefined && opened !== undefined) {
    return (
      <WorkflowInstance
        monitor={props.monitor}
        snapshot={props.snapshot}
        board={board}
        instance={opened}
        width={props.width}
        height={props.height}
        active={props.active}
        onClose={() => {
          setOpen(undefined);
        }}
        onCancel={props.onCancel}
      />
    );
  }
  if (board === undefined) {
    return <Text>No workflow has run in this campaign (retort workflow run FILE starts one).</Text>;
  }
  const start = Math.max(0, Math.floor(cursor / rows) * rows);
  const visible = steps.slice(firstStep, firstStep + fits);
  const cell = (text: string, width: number): string => ` ${fit(text, width)}`;
  return (
    <Box flexDirection="column">
      <Text wrap="truncate-end">
        <Text bold>Workflow {board.name}</Text>
        {boards.length > 1
          ? ` (${Math.min(which, boards.length - 1) + 1} of ${boards.length})`
          : ''}{' '}
        · {board.instances.length} instances · {board.steps.length} steps · filter: {wanted}
        {wanted === 'all' ? '' : ` (${shown.length})`}
        {steps.length > fits ? ` · steps ${firstStep + 1}–${firstStep + visible.length}` : ''}
      </Text>
      <Text bold wrap="truncate-end">
        {`  ${fit('instance', INSTANCE_WIDTH)} ${fit('status', STATUS_WIDTH)}`}
        {visible.map((s) => cell(s.name, stepWidth)).join('')}
      </Text>
      {shown.length === 0 ? <Text dimColor>{'  no instance has a step in that state'}</Text> : null}
      {shown.slice(start, start + rows).map((row, i) => (
        <Text key={row.id} wrap="truncate-end" inverse={start + i === cursor}>
          {`  ${fit(row.instance, INSTANCE_WIDTH)} `}
          <Text color={stateColour(row.status)}>{fit(row.status, STATUS_WIDTH)}</Text>
          {visible.map((s) => {
            const state = row.states[steps.indexOf(s)] ?? 'pending';
            const m = STEP_MARKS[state];
            return (
              <Text key={s.name} color={stateColour(state)}>
                {cell(`${m.mark} ${m.word}`, stepWidth)}
              </Text>
            );
          })}
        </Text>
      ))}
      <Text wrap="truncate-end" dimColor>
        {Object.entries(STEP_MARKS)
          .map(([state, m]) => `${m.mark} ${state}`)
          .join('  ')}
      </Text>
      <Keys
        keys={[
          ['↑↓', 'move'],
          ['Enter', 'DAG'],
          ['f', 'filter'],
          ...(boards.length > 1 ? [['w', 'next workflow'] as const] : []),
          ...(steps.length > fits ? [['←→', 'steps'] as const] : []),
        ]}
      />
    </Box>
  );
}

function longest(steps: WorkflowBoard['steps']): number {
  return Math.max(7, ...steps.map((s) => s.name.length));
}
