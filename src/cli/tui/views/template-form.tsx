import { Box, Text } from 'ink';
import { useMemo, useState } from 'react';
import { RetortError } from '../../../core/errors.js';
import type { ParameterSpec } from '../../../templates/header.js';
import { renderLoaded, type LoadedTemplate } from '../../../templates/render.js';
import { expectation } from '../../../templates/values.js';
import { allowedValues } from '../../template-form.js';
import { fit } from '../cells.js';
import { Keys } from '../components/table.js';
import {
  calcArgv,
  fieldProblem,
  formFields,
  initialText,
  isPath,
  renderValues,
} from '../form-fields.js';
import { useViewKeys } from '../key-router.js';
import { colour } from '../theme.js';
import { useSyncedState } from '../use-synced-state.js';

const NAME_WIDTH = 18;
const VALUE_WIDTH = 22;

/**
 * A template's form, generated from its header as `retort template fill` asks it: one field per
 * parameter (defaults filled in, choices cycled with ←/→ or Enter, booleans toggled, numbers
 * checked against their range, molecules and crystals a path), the selected field's help and
 * what it expects below. `p` previews the rendered input, `r` runs it as a calc (the app asks
 * y/N first), Esc goes back.
 */
export function TemplateForm(props: {
  readonly loaded: LoadedTemplate;
  readonly width: number;
  readonly height: number;
  readonly active: boolean;
  readonly onSubmit: (args: readonly string[]) => void;
  readonly onClose: () => void;
}) {
  const { loaded } = props;
  const cwd = process.cwd();
  const fields = useMemo(() => formFields(loaded.parameters), [loaded]);
  const [texts, setTexts, textsNow] = useSyncedState<Readonly<Record<string, string>>>(
    Object.fromEntries(fields.map((f) => [f.spec.name, initialText(f.spec)])),
  );
  const [cursor, setCursor, cursorNow] = useSyncedState(0);
  // The text being typed into the selected field (undefined: not editing).
  const [editing, setEditing, editingNow] = useSyncedState<string | undefined>(undefined);
  const [problem, setProblem] = useState<string | undefined>(undefined);
  const [preview, setPreview] = useState<readonly string[] | undefined>(undefined);
  const [back, setBack] = useState(0);
  const previewRows = Math.max(3, props.height - 3);

  const set = (name: string, text: string): void => {
    setTexts((t) => ({ ...t, [name]: text }));
  };
  const check = (): string | undefined => {
    for (const { spec } of fields) {
      const p = fieldProblem(spec, textsNow.current[spec.name] ?? '', cwd);
      if (p !== undefined) return `${spec.name}: ${p}`;
    }
    return undefined;
  };
  const render = (): { text: string } | { problem: string } => {
    const bad = check();
    if (bad !== undefined) return { problem: bad };
    try {
      return renderLoaded(loaded, renderValues(loaded, fields, textsNow.current, cwd), {
        baseDir: cwd,
      });
    } catch (error) {
      if (error instanceof RetortError) return { problem: error.message };
      throw error;
    }
  };

  useViewKeys((input, key) => {
    if (preview !== undefined) {
      const most = Math.max(0, preview.length - previewRows);
      if (key.escape || input === 'p') setPreview(undefined);
      else if (key.downArrow || input === 'j') setBack((b) => Math.min(most, b + 1));
      else if (key.upArrow || input === 'k') setBack((b) => Math.max(0, b - 1));
      else if (key.pageDown) setBack((b) => Math.min(most, b + previewRows));
      else if (key.pageUp) setBack((b) => Math.max(0, b - previewRows));
      return true;
    }
    const field = fields[cursorNow.current];
    const typed = editingNow.current;
    if (typed !== undefined && field !== undefined) {
      // Every key goes to the field while typing (q, digits and S are text here).
      if (key.escape) setEditing(undefined);
      else if (key.return) {
        const bad = fieldProblem(field.spec, typed, cwd);
        if (bad === undefined) {
          set(field.spec.name, typed.trim());
          setEditing(undefined);
        }
        setProblem(bad === undefined ? undefined : `${field.spec.name}: ${bad}`);
      } else if (key.backspace || key.delete) setEditing(typed.slice(0, -1));
      else if (input !== '' && !key.ctrl && !key.meta) setEditing(typed + input);
      return true;
    }
    if (key.escape) props.onClose();
    else if (key.downArrow || input === 'j') setCursor((c) => Math.min(fields.length - 1, c + 1));
    else if (key.upArrow || input === 'k') setCursor((c) => Math.max(0, c - 1));
    else if (
      field !== undefined &&
      (key.leftArrow || key.rightArrow || key.return || input === ' ')
    ) {
      const now = textsNow.current[field.spec.name] ?? '';
      if (field.spec.type === 'choice') {
        const choices = (field.spec.choices ?? []).map(String);
        const step = key.leftArrow ? choices.length - 1 : 1;
        set(field.spec.name, choices[(choices.indexOf(now) + step) % choices.length] ?? now);
      } else if (field.spec.type === 'bool') {
        set(field.spec.name, now === 'true' ? 'false' : 'true');
      } else if (key.return) setEditing(now);
      else return false;
    } else if (input === 'p') {
      const out = render();
      setProblem('problem' in out ? out.problem : undefined);
      if ('text' in out) {
        setPreview(out.text.replace(/\n$/, '').split('\n'));
        setBack(0);
      }
    } else if (input === 'r') {
      const out = render();
      if ('problem' in out) setProblem(out.problem);
      else if (loaded.engine === undefined)
        setProblem(`${loaded.name} names no engine: it cannot run as a calc`);
      else {
        setProblem(undefined);
        props.onSubmit(calcArgv(loaded, fields, textsNow.current, cwd));
      }
    } else return false;
    return true;
  }, props.active);

  const title = (
    <Text wrap="truncate-end">
      <Text bold>Template {loaded.name}</Text> · {loaded.engine ?? 'no engine'} {loaded.task ?? ''}
      {loaded.header.description === undefined
        ? ''
        : ` · ${loaded.header.description.split('\n')[0] ?? ''}`}
    </Text>
  );
  if (preview !== undefined) {
    return (
      <Box flexDirection="column">
        {title}
        <Text bold>
          Rendered input ({preview.length} lines{back === 0 ? '' : `, from line ${back + 1}`})
        </Text>
        {preview.slice(back, back + previewRows).map((line, i) => (
          <Text key={i} wrap="truncate-end">
            {line === '' ? ' ' : line}
          </Text>
        ))}
        <Keys
          keys={[
            ['↑↓', 'scroll'],
            ['Esc', 'back to the form'],
          ]}
        />
      </Box>
    );
  }
  const selected = fields[cursor]?.spec;
  const hint = props.width - 2 - NAME_WIDTH - 1 - VALUE_WIDTH - 1;
  const rows = Math.max(3, props.height - 6);
  const start = Math.max(0, Math.floor(cursor / rows) * rows);
  return (
    <Box flexDirection="column">
      {title}
      {fields.slice(start, start + rows).map((f, i) => {
        const at = start + i === cursor;
        const text = texts[f.spec.name] ?? '';
        const shownValue =
          at && editing !== undefined
            ? `${editing}▏`
            : f.spec.type === 'choice'
              ? `‹${text}›`
              : text === ''
                ? isPath(f.spec)
                  ? '(path)'
                  : '—'
                : isPath(f.spec)
                  ? pathTail(text, VALUE_WIDTH)
                  : text;
        return (
          <Text key={f.spec.name} wrap="truncate-end" inverse={at && editing === undefined}>
            {'  '}
            <Text bold>{fit(label(f.spec), NAME_WIDTH)}</Text>{' '}
            <Text color={at && editing !== undefined ? colour('cyan') : undefined}>
              {fit(shownValue, VALUE_WIDTH)}
            </Text>{' '}
            <Text dimColor>{fit(allowedValues(f.spec) || f.spec.type, Math.max(8, hint))}</Text>
          </Text>
        );
      })}
      {selected === undefined ? null : (
        <Text wrap="truncate-end" dimColor>
          {selected.name}: {isPath(selected) ? `${expectation(selected)}, a path` : selected.type}
          {selected.help === undefined ? '' : ` — ${selected.help}`}
        </Text>
      )}
      <Text wrap="truncate-end" color={colour('red')}>
        {problem ?? ' '}
      </Text>
      <Keys
        keys={[
          ['↑↓', 'field'],
          ['Enter', editing === undefined ? 'edit' : 'done'],
          ['←→', 'choice'],
          ['p', 'preview'],
          ['r', 'run as a calc'],
          ['Esc', editing === undefined ? 'back' : 'cancel'],
        ]}
      />
    </Box>
  );
}

/** The end of a long path, where its file's name is. */
function pathTail(path: string, width: number): string {
  return path.length <= width ? path : `…${path.slice(path.length - width + 1)}`;
}

/** A field's name with its unit, `*` when it must be given. */
function label(spec: ParameterSpec): string {
  const unit = spec.unit === undefined ? '' : ` [${spec.unit}]`;
  const star = spec.required && spec.default === undefined ? '*' : '';
  return `${spec.name}${star}${unit}`;
}
