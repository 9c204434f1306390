import type { CalcSpec } from '../core/calc-spec.js';
import type { CalcResolution } from '../runtime/runner.js';

/**
 * How a pipeline asks for a calc's outcome: whether it comes from the store, this machine or
 * (later) a cluster is the runtime's business. The resolution carries the calc key, from which
 * the calc's directory follows (core/campaign-layout.ts `calcWorkdir`).
 */
export type RequestCalc = (spec: CalcSpec) => Promise<CalcResolution>;
