import { InputError } from '../../../core/errors.js';
import { dagToDot } from './dot.js';
import type { DagDrawing } from './drawing.js';
import { dagToMermaid } from './mermaid.js';
import { dagToSvg } from './svg.js';

/** The formats a DAG can be drawn in, as `--format` names them. */
export const DAG_FORMATS = ['svg', 'dot', 'mermaid'] as const;
export type DagFormat = (typeof DAG_FORMATS)[number];

/** Checks a format name given by the user (`where` names the option or field). */
export function parseDagFormat(value: string, where: string): DagFormat {
  const format = DAG_FORMATS.find((f) => f === value);
  if (format === undefined) {
    throw new InputError(where, `expected ${DAG_FORMATS.join(', ')}, got ${JSON.stringify(value)}`);
  }
  return format;
}

/** The DAG drawn in the format. */
export function drawDag(d: DagDrawing, format: DagFormat): string {
  switch (format) {
    case 'svg':
      return dagToSvg(d);
    case 'dot':
      return dagToDot(d);
    case 'mermaid':
      return dagToMermaid(d);
  }
}
