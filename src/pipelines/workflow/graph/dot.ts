import { edgesOf, layersOf, STATE_COLOURS, type DagDrawing } from './drawing.js';

/** A Graphviz digraph of the DAG, top to bottom, boxes filled by state. */
export function dagToDot(d: DagDrawing): string {
  layersOf(d);
  const lines = [
    `digraph ${quote(d.title ?? 'workflow')} {`,
    '  rankdir=TB;',
    '  node [shape=box, style="rounded,filled", fontname="Helvetica"];',
  ];
  if (d.title !== undefined) lines.push(`  label=${quote(d.title)};`, '  labelloc=t;');
  for (const step of d.steps) {
    const colours = STATE_COLOURS[step.state ?? 'plain'];
    const text = step.label === undefined ? step.name : `${step.name}\n${step.label}`;
    const tooltip = step.state === undefined ? step.name : `${step.name}: ${step.state}`;
    lines.push(
      `  ${quote(step.name)} [label=${quote(text)}, fillcolor="${colours.fill}", color="${colours.stroke}", tooltip=${quote(tooltip)}];`,
    );
  }
  for (const edge of edgesOf(d)) lines.push(`  ${quote(edge.from)} -> ${quote(edge.to)};`);
  lines.push('}');
  return lines.join('\n') + '\n';
}

/** A dot double-quoted string: backslashes and quotes escaped, line breaks as \n. */
function quote(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\r?\n/g, '\\n')}"`;
}
