import { LineCounter, parseDocument } from 'yaml';
import { InputError } from '../errors.js';
import { Field, type FieldSource } from './field.js';

/**
 * The root field of a YAML or JSON document (YAML 1.2 reads JSON as it is), every node placed at
 * its line of `file`. A syntax error is an InputError naming the line. An empty document is a
 * root field that is absent.
 */
export function readYamlFields(text: string, file: string): Field {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const source = placedIn(file, (offset) => lines.linePos(offset).line);
  const firstError = doc.errors[0];
  if (firstError !== undefined) {
    throw new InputError(
      source.place(firstError.pos[0]),
      `not valid ${/\.json$/i.test(file) ? 'JSON' : 'YAML'}: ${firstError.message.split('\n')[0] ?? ''}`,
      { cause: firstError },
    );
  }
  return new Field(source, '', doc.contents ?? undefined);
}

/**
 * The root field of one line of a JSON Lines file (`line` counts from 1): strict JSON, every
 * node placed at `file:line`.
 */
export function readJsonLineFields(text: string, file: string, line: number): Field {
  const source = placedIn(file, () => line);
  try {
    JSON.parse(text);
  } catch (cause) {
    throw new InputError(source.place(0), `not valid JSON (${(cause as Error).message})`, {
      cause,
    });
  }
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  const firstError = doc.errors[0];
  if (firstError !== undefined) {
    throw new InputError(source.place(0), `not valid: ${firstError.message.split('\n')[0] ?? ''}`, {
      cause: firstError,
    });
  }
  return new Field(source, '', doc.contents ?? undefined);
}

/** The root field of every non-blank line of a JSON Lines text, with its line number. */
export function readJsonLinesFields(
  text: string,
  file: string,
): { readonly line: number; readonly field: Field }[] {
  const out: { line: number; field: Field }[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    if (raw.trim() !== '') out.push({ line: i + 1, field: readJsonLineFields(raw, file, i + 1) });
  });
  return out;
}

function placedIn(file: string, lineOf: (offset: number) => number): FieldSource {
  return {
    file,
    place: (offset) => (offset === undefined ? file : `${file}:${lineOf(offset)}`),
  };
}
