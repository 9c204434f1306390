import type { CalcSpec } from '../../core/calc-spec.js';
import { InputError } from '../../core/errors.js';
import type { CalcResolution, RequestCalc } from '../../runtime/calc-request.js';

/** What asking for a calc gave: a resolution, or the spec refused before anything ran. */
export type Asked = CalcResolution | { readonly status: 'refused'; readonly message: string };

/**
 * Asks for a calc; an InputError (the engine refused the spec before anything was recorded: a
 * problem of the molecule) comes back as `refused`. Anything else is thrown.
 */
export async function askCalc(request: RequestCalc, spec: CalcSpec): Promise<Asked> {
  try {
    return await request(spec);
  } catch (error) {
    if (error instanceof InputError) return { status: 'refused', message: error.message };
    throw error;
  }
}
