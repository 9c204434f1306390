import { Box, Text } from 'ink';
import { useState } from 'react';
import type { InstanceRow, WorkflowBoard } from '../../../pipelines/workflow/workflow-browse.js';
import type { StepRecord } from '../../../pipelines/workflow/workflow-item.js';
import type {
  CampaignMonitor,
  MonitorSnapshot,
} from '../../../runtime/monitor/campaign-monitor.js';
import { fit } from '../cells.js';
import { Keys } from '../components/table.js';
import { useViewKeys } from '../key-router.js';
import { dagOutline, STEP_MARKS } from '../step-states.js';
import { stateColour } from '../theme.js';
import { useSyncedState } from '../use-synced-state.js';
import { CalcDetail } from './calc-detail.js';

const DAG_WIDTH = 26;

/**
 * One instance of a workflow: its DAG as an outline (each step indented by its layer, after the
 * steps it needs, `← needs`), each step coloured by its state with its program and task, calc
 * key (`store` when the result came from the store) and why it failed or was skipped. ↑/↓ move,
 * Enter opens the step's calc, Esc goes back to the grid.
 */
export function WorkflowInstance(props: {
  readonly monitor: CampaignMonitor;
  readonly snapshot: MonitorSnapshot;
  readonly board: WorkflowBoard;
  readonly instance: InstanceRow;
  readonly width: number;
  readonly height: number;
  readonly active: boolean;
  readonly onClose: () => void;
  /** `x` on a step's calc: cancel it (app.tsx asks y/N first). */
  readonly onCancel: (key: string, name: string) => void;
}) {
  const { board, instance } = props;
  const outline = dagOutline(board.steps);
  const [cursor, setCursor, cursorNow] = useSyncedState(0);
  const [calc, setCalc] = useState<string | undefined>(undefined);
  useViewKeys(
    (input, key) => {
      if (key.escape || key.backspace) props.onClose();
      else if (key.downArrow || input === 'j')
        setCursor((c) => Math.min(outline.length - 1, c + 1));
      else if (key.upArrow || input === 'k') setCursor((c) => Math.max(0, c - 1));
      else if (key.return) {
        const step = outline[cursorNow.current]?.step.name;
        const calcKey = step === undefined ? null : (instance.records[step]?.key ?? null);
        if (calcKey !== null) setCalc(calcKey);
      } else return false;
      return true;
    },
    props.active && calc === undefined,
  );
  if (calc !== undefined) {
    return (
      <CalcDetail
        monitor={props.monitor}
        snapshot={props.snapshot}
        calcKey={calc}
        width={props.width}
        active={props.active}
        onClose={() => {
          setCalc(undefined);
        }}
        onCancel={props.onCancel}
      />
    );
  }
  const rows = Math.max(3, props.height - 6);
  const start = Math.max(0, Math.floor(cursor / rows) * rows);
  const rest = props.width - 2 - DAG_WIDTH - 1 - 8 - 1 - 16 - 1;
  return (
    <Box flexDirection="column">
      <Text wrap="truncate-end">
        <Text bold>
          {board.name} / {instance.instance}
        </Text>{' '}
        <Text color={stateColour(instance.status)}>{instance.status}</Text> · {board.file}
      </Text>
      <Text bold>
        {`  ${fit('step ← needs', DAG_WIDTH)} ${fit('state', 8)} ${fit('program task', 16)} why / calc`}
      </Text>
      {outline.slice(start, start + rows).map(({ step, depth }, j) => {
        const i = start + j;
        const state = instance.states[board.steps.indexOf(step)] ?? 'pending';
        const record = instance.records[step.name];
        const needs = step.needs.length === 0 ? '' : ` ← ${step.needs.join(', ')}`;
        // The reason when there is one (failed, skipped), else the calc.
        const why =
          record?.reason ??
          record?.failure_class ??
          (record?.key === null || record?.key === undefined
            ? ''
            : `${record.key.slice(0, 12)}${record.cached ? ' (store)' : ''}`);
        const colour = stateColour(state);
        return (
          <Text key={step.name} wrap="truncate-end" inverse={i === cursor}>
            {'  '}
            <Text color={colour}>
              {/* fit() folds spaces: the indent goes outside it. */}
              {'  '.repeat(Math.min(depth, 6))}
              {fit(
                `${STEP_MARKS[state].mark} ${step.name}${needs}`,
                DAG_WIDTH - 2 * Math.min(depth, 6),
              )}
            </Text>{' '}
            <Text color={colour}>{fit(record?.state ?? 'pending', 8)}</Text>{' '}
            {fit([step.program ?? record?.program, step.task ?? record?.task].join(' ').trim(), 16)}{' '}
            {fit(why, Math.max(12, rest))}
          </Text>
        );
      })}
      <StepDetail
        name={outline[cursor]?.step.name ?? ''}
        record={instance.records[outline[cursor]?.step.name ?? '']}
      />
      <Keys
        keys={[
          ['↑↓', 'move'],
          ['Enter', 'calc of the step'],
          ['Esc', 'back'],
        ]}
      />
    </Box>
  );
}

/** The selected step in full: its calc key, whether the store had it, its failure and reason. */
function StepDetail(props: { readonly name: string; readonly record: StepRecord | undefined }) {
  const r = props.record;
  if (r === undefined) return <Text dimColor>{props.name}: not reached yet</Text>;
  const parts = [
    r.key === null ? 'no calc' : `calc ${r.key}${r.cached ? ' (from the store)' : ''}`,
    r.failure_class,
    r.reason,
  ].filter((t) => t !== null);
  return (
    <Text>
      <Text bold>{props.name}</Text>: {parts.join(' · ')}
    </Text>
  );
}
