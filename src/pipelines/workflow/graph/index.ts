/**
 * The DAG of a workflow drawn three ways, each a pure function of a {@link DagDrawing}: Graphviz
 * dot, a mermaid flowchart, and a self-contained SVG laid out here (no Graphviz needed).
 */
export {
  STATE_COLOURS,
  STEP_DRAW_STATES,
  type DagDrawing,
  type DagStep,
  type StepDrawState,
} from './drawing.js';
export { DAG_FORMATS, drawDag, parseDagFormat, type DagFormat } from './draw.js';
export { dagToDot } from './dot.js';
export { dagToMermaid } from './mermaid.js';
export { summarizeStates } from './summary.js';
export { dagToSvg } from './svg.js';
