import { existsSync } from 'node:fs';
import { expect } from 'vitest';
import { TransportError } from '../../../src/executors/remote/transport.js';

/** What the transport test files share. */

/** Arguments a shell would reinterpret if they were not quoted. */
export const NASTY = [
  'two words',
  '',
  "it's",
  '"double"',
  '$HOME',
  '$(echo injected)',
  '`echo injected`',
  'line one\nline two',
  '*',
  '-n',
  'a;b|c&d',
  '\\back\\slash',
  'Ωmega 😀',
];

/** The error `promise` rejects with, which must be a TransportError. */
export async function failure(promise: Promise<unknown>): Promise<TransportError> {
  const error: unknown = await promise.then(
    () => new Error('expected a rejection'),
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(TransportError);
  return error as TransportError;
}

export async function waitForFile(path: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!existsSync(path)) {
    if (Date.now() > deadline) throw new Error(`${path} did not appear`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
