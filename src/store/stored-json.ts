import { InfrastructureError } from '../core/errors.js';

/**
 * Turns a parsed JSON value read back from the store into a pipeline's typed value, or throws
 * when it does not have the expected shape. Pipelines define one per stored JSON column they own
 * (item payload and result, batch settings), so that no caller ever parses stored JSON.
 */
export type Decoder<T> = (value: unknown) => T;

/** Parses and decodes a stored JSON column; `what` names the row for the error. */
export function decodeStored<T>(text: string, decode: Decoder<T>, what: string): T {
  try {
    return decode(JSON.parse(text) as unknown);
  } catch (cause) {
    throw new InfrastructureError(`the store holds malformed JSON for ${what}`, {
      cause,
      retryable: false,
    });
  }
}
