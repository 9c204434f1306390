import { InputError } from '../core/errors.js';

/**
 * CSV as RFC 4180 defines it, read and written.
 *
 * Reading (`parseCsv`):
 * - fields are separated by `,`; records end with LF, CRLF or a lone CR;
 * - a field may be quoted with `"`; inside quotes, `,`, CR and LF are data and `""` is one `"`;
 * - a UTF-8 byte order mark at the start is dropped;
 * - the first record is the header; blank lines (no characters at all) are skipped, and a final
 *   line ending does not start a record;
 * - every record carries the 1-based line number where it starts in the file, so that errors
 *   about it can name `file:line` (a quoted field holding line breaks makes the next record
 *   start further down).
 *
 * Records are returned as read: the reader does not check that they have as many fields as the
 * header (the caller knows what a short record means for it).
 *
 * Errors (an {@link InputError} naming `source:line`): a quoted field that is never closed, and
 * text between a closing quote and the next separator (`"ab"c`). A `"` inside an unquoted field
 * is kept as data, as most writers produce it.
 */
export interface CsvRecord {
  /** 1-based line of the file where the record starts. */
  readonly line: number;
  readonly cells: readonly string[];
}

export interface CsvTable {
  readonly header: readonly string[];
  /** Line of the header (1 unless blank lines precede it). */
  readonly headerLine: number;
  readonly rows: readonly CsvRecord[];
}

const COMMA = 44;
const QUOTE = 34;
const LF = 10;
const CR = 13;

/** Parses CSV text; `source` names the file in error messages. An empty text has an empty header. */
export function parseCsv(text: string, source = 'CSV'): CsvTable {
  const records: CsvRecord[] = [];
  const n = text.length;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;

  while (i < n) {
    const first = text.charCodeAt(i);
    // A blank line: skip it (and count it).
    if (first === LF || first === CR) {
      i += first === CR && text.charCodeAt(i + 1) === LF ? 2 : 1;
      line++;
      continue;
    }
    const startLine = line;
    const cells: string[] = [];
    for (;;) {
      // One field, starting at i.
      if (text.charCodeAt(i) === QUOTE) {
        const quoteLine = line;
        let value = '';
        let from = i + 1;
        for (;;) {
          const q = text.indexOf('"', from);
          if (q < 0) {
            throw new InputError(
              `${source}:${quoteLine}`,
              'a quoted field is never closed (a `"` is missing)',
            );
          }
          const chunk = text.slice(from, q);
          line += countLineBreaks(chunk);
          value += chunk;
          if (text.charCodeAt(q + 1) === QUOTE) {
            value += '"';
            from = q + 2;
            continue;
          }
          i = q + 1;
          break;
        }
        cells.push(value);
        const next = i < n ? text.charCodeAt(i) : LF;
        if (next !== COMMA && next !== LF && next !== CR) {
          throw new InputError(
            `${source}:${line}`,
            `unexpected text after a closing quote (field ${cells.length}); a quoted field must end at a comma or the end of the line`,
          );
        }
      } else {
        let j = i;
        while (j < n) {
          const c = text.charCodeAt(j);
          if (c === COMMA || c === LF || c === CR) break;
          j++;
        }
        cells.push(text.slice(i, j));
        i = j;
      }
      // After a field: a separator, a line ending or the end of the text.
      if (i >= n) break;
      const c = text.charCodeAt(i);
      if (c === COMMA) {
        i++;
        continue;
      }
      i += c === CR && text.charCodeAt(i + 1) === LF ? 2 : 1;
      line++;
      break;
    }
    records.push({ line: startLine, cells });
  }

  const [head, ...rows] = records;
  if (head === undefined) return { header: [], headerLine: 1, rows: [] };
  return { header: head.cells, headerLine: head.line, rows };
}

// Line breaks inside a quoted field: CRLF counts once.
function countLineBreaks(s: string): number {
  let count = 0;
  for (let k = 0; k < s.length; k++) {
    const c = s.charCodeAt(k);
    if (c === LF) count++;
    else if (c === CR && s.charCodeAt(k + 1) !== LF) count++;
  }
  return count;
}

/** A value of a CSV record as written: null and undefined become an empty field. */
export type CsvValue = string | number | boolean | null | undefined;

/**
 * One CSV record, terminated by `\n`. A field is quoted only when it must be (it holds a comma, a
 * quote, CR or LF, or starts or ends with a space, which some readers trim); quotes in it are
 * doubled. Numbers are written as JavaScript prints them.
 */
export function csvLine(values: readonly CsvValue[]): string {
  return `${values.map(csvField).join(',')}\n`;
}

/** One field of a CSV record, quoted when needed. */
export function csvField(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  if (/[",\r\n]/.test(text) || text.startsWith(' ') || text.endsWith(' ')) {
    return `"${text.replaceAll('"', '""')}"`;
  }
  return text;
}
