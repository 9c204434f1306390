import { edgesOf, layersOf, STATE_COLOURS, STEP_DRAW_STATES, type DagDrawing } from './drawing.js';

/**
 * A mermaid flowchart of the DAG, top to bottom. Steps get ids `s0`, `s1` … (a name may hold
 * anything); names are written as entity codes where mermaid would read markup; states are
 * classes (`classDef succeeded …`).
 */
export function dagToMermaid(d: DagDrawing): string {
  layersOf(d);
  const ids = new Map(d.steps.map((step, n) => [step.name, `s${n}`]));
  const lines: string[] = [];
  if (d.title !== undefined) lines.push('---', `title: ${JSON.stringify(d.title)}`, '---');
  lines.push('flowchart TD');
  for (const step of d.steps) {
    const text =
      step.label === undefined
        ? escape(step.name)
        : `${escape(step.name)}<br/>${escape(step.label)}`;
    const state = step.state === undefined ? '' : `:::${step.state}`;
    lines.push(`  ${ids.get(step.name) ?? ''}["${text}"]${state}`);
  }
  for (const edge of edgesOf(d))
    lines.push(`  ${ids.get(edge.from) ?? ''} --> ${ids.get(edge.to) ?? ''}`);
  const used = new Set(d.steps.map((step) => step.state));
  for (const state of STEP_DRAW_STATES) {
    if (!used.has(state)) continue;
    const { fill, stroke } = STATE_COLOURS[state];
    lines.push(`  classDef ${state} fill:${fill},stroke:${stroke}`);
  }
  return lines.join('\n') + '\n';
}

/** Characters mermaid reads as syntax or markup inside a quoted label, as its `#N;` codes. */
function escape(text: string): string {
  return text.replace(/[\r\n]+/g, ' ').replace(/["#<>&`]/g, (c) => `#${c.charCodeAt(0)};`);
}
