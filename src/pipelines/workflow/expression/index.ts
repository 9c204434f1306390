/**
 * The `${{ … }}` language of workflow files: a small expression language evaluated by walking
 * its syntax tree (never `eval` or `Function`). Values are JSON values; an expression reads only
 * the own keys of the scope's plain objects and lists, and calls only the functions of a fixed
 * table (functions.ts). README.md, "Workflow expressions", is the user's description.
 */
export {
  evaluateExpression,
  expressionReferences,
  parseExpression,
  type Expression,
  type ExpressionScope,
} from './expression.js';
export {
  evaluateInterpolation,
  hasInterpolation,
  interpolateValue,
  interpolationReferences,
  parseInterpolation,
  valueReferences,
  type Interpolation,
} from './interpolation.js';
