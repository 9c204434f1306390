import { edgesOf, layersOf, STATE_COLOURS, type DagDrawing } from './drawing.js';

/**
 * A Graphviz digraph of the DAG, top to bottom, boxes filled by state. Steps get ids `s0`,
 * `s1` … and their names are labels: a dot id cannot end in a backslash, a label can.
 */
export function dagToDot(d: DagDrawing): string {
  layersOf(d);
  const ids = new Map(d.steps.map((step, n) => [step.name, `s${n}`]));
  const lines = [
    'digraph workflow {',
    '  rankdir=TB;',
    '  node [shape=box, style="rounded,filled", fontname="Helvetica"];',
  ];
  if (d.title !== undefined) lines.push(`  label=${label(d.title)};`, '  labelloc=t;');
  for (const step of d.steps) {
    const colours = STATE_COLOURS[step.state ?? 'plain'];
    const text = step.label === undefined ? step.name : `${step.name}\n${step.label}`;
    const tooltip = step.state === undefined ? step.name : `${step.name}: ${step.state}`;
    lines.push(
      `  ${ids.get(step.name) ?? ''} [label=${label(text)}, fillcolor="${colours.fill}", color="${colours.stroke}", tooltip=${label(tooltip)}];`,
    );
  }
  for (const edge of edgesOf(d)) {
    lines.push(`  ${ids.get(edge.from) ?? ''} -> ${ids.get(edge.to) ?? ''};`);
  }
  lines.push('}');
  return lines.join('\n') + '\n';
}

/** A dot label string: backslashes and quotes escaped, line breaks as \n. */
function label(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\r?\n/g, '\\n')}"`;
}
