import { Box, Text } from 'ink';
import { useMemo, useState } from 'react';
import { campaignPaths } from '../../../core/campaign-layout.js';
import { RetortError } from '../../../core/errors.js';
import { TemplateLibrary, type LibraryEntry } from '../../../templates/library.js';
import { loadTemplate, type LoadedTemplate } from '../../../templates/render.js';
import { allowedValues } from '../../template-form.js';
import { Keys, Table, type Column } from '../components/table.js';
import { useViewKeys } from '../key-router.js';
import { colour } from '../theme.js';
import { useSyncedState } from '../use-synced-state.js';
import { TemplateForm } from './template-form.js';

const COLUMNS: readonly Column[] = [
  { title: 'template', width: 16 },
  { title: 'engine', width: 7 },
  { title: 'task', width: 11 },
  { title: 'from', width: 8 },
  { title: 'description', width: 0 },
];

/** A library entry, loaded (or why it cannot be: a campaign template with a mistake). */
interface Entry {
  readonly entry: LibraryEntry;
  readonly loaded: LoadedTemplate | undefined;
  readonly problem: string | undefined;
}

/**
 * The template library (the campaign's templates/, then the built-ins): ↑/↓ select a template
 * and show its parameters below the list; Enter opens its form.
 */
export function Templates(props: {
  readonly root: string;
  readonly width: number;
  readonly height: number;
  readonly active: boolean;
  readonly onSubmit: (args: readonly string[]) => void;
}) {
  const entries = useMemo(() => readLibrary(props.root), [props.root]);
  const [cursor, setCursor, cursorNow] = useSyncedState(0);
  const [open, setOpen] = useState<LoadedTemplate | undefined>(undefined);
  const rows = Math.max(3, props.height - 8);
  useViewKeys(
    (input, key) => {
      if (key.downArrow || input === 'j') setCursor((c) => Math.min(entries.length - 1, c + 1));
      else if (key.upArrow || input === 'k') setCursor((c) => Math.max(0, c - 1));
      else if (key.pageDown) setCursor((c) => Math.min(entries.length - 1, c + rows));
      else if (key.pageUp) setCursor((c) => Math.max(0, c - rows));
      else if (key.return) {
        const loaded = entries[cursorNow.current]?.loaded;
        if (loaded !== undefined) setOpen(loaded);
      } else return false;
      return true;
    },
    props.active && open === undefined,
  );
  if (open !== undefined) {
    return (
      <TemplateForm
        loaded={open}
        width={props.width}
        height={props.height}
        active={props.active}
        onSubmit={props.onSubmit}
        onClose={() => {
          setOpen(undefined);
        }}
      />
    );
  }
  const start = Math.max(0, Math.floor(cursor / rows) * rows);
  const selected = entries[cursor];
  return (
    <Box flexDirection="column">
      <Text wrap="truncate-end">
        <Text bold>Templates ({entries.length})</Text> · the campaign’s templates/ and the
        built-ins, by name
      </Text>
      <Table
        columns={COLUMNS}
        width={props.width}
        empty="no templates"
        rows={entries.slice(start, start + rows).map((e, i) => ({
          id: e.entry.name,
          current: start + i === cursor,
          colour: e.problem === undefined ? undefined : colour('red'),
          colourCell: 4,
          cells: [
            e.entry.name,
            e.loaded?.engine ?? '',
            e.loaded?.task ?? '',
            e.entry.origin,
            e.problem ?? e.loaded?.header.description?.split('\n')[0] ?? '',
          ],
        }))}
      />
      {selected?.loaded === undefined ? null : (
        <Text wrap="wrap">
          <Text bold>{selected.entry.name}</Text>: {parameterSummary(selected.loaded)}
        </Text>
      )}
      <Keys
        keys={[
          ['↑↓', 'select'],
          ['Enter', 'open its form'],
        ]}
      />
    </Box>
  );
}

function readLibrary(root: string): Entry[] {
  const library = new TemplateLibrary(campaignPaths(root).templates);
  return library.list().map((entry) => {
    try {
      return { entry, loaded: loadTemplate(entry.name, library, root), problem: undefined };
    } catch (error) {
      if (!(error instanceof RetortError)) throw error;
      return { entry, loaded: undefined, problem: `error: ${error.message}` };
    }
  });
}

/** `ecutwfc (float 30 Ry, 5 … 300)`, every parameter, for the line below the list. */
function parameterSummary(loaded: LoadedTemplate): string {
  if (loaded.parameters.length === 0) return 'no parameters';
  return loaded.parameters
    .map((p) => {
      const about = [
        p.type,
        p.required ? 'required' : '',
        p.default === undefined || p.default === '' ? '' : JSON.stringify(p.default),
        p.unit ?? '',
      ]
        .filter((t) => t !== '')
        .join(' ');
      const allowed = allowedValues(p);
      return `${p.name} (${about}${allowed === '' ? '' : `, ${allowed}`})`;
    })
    .join(' · ');
}
