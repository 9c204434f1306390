import type { JsonValue, Resources } from '../core/calc-spec.js';
import { InfrastructureError } from '../core/errors.js';
import { isFailureClass, type Failure } from '../core/failure.js';

/*
 * Readers of the store's JSON columns. The store wrote every one of them itself, so a value of
 * the wrong shape means a damaged store: it is reported as such, naming the row and field,
 * rather than handed on to crash somewhere far away.
 */

function damaged(where: string, expected: string): InfrastructureError {
  return new InfrastructureError(
    `the store is damaged: ${where} is not ${expected}; restore retort.db from a backup`,
    { retryable: false },
  );
}

function parse(text: string, where: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new InfrastructureError(
      `the store is damaged: ${where} is not valid JSON; restore retort.db from a backup`,
      { retryable: false, cause },
    );
  }
}

/**
 * Turns a parsed JSON value read back from the store into a pipeline's typed value, or throws
 * when it does not have the expected shape. Pipelines define one per stored JSON column they own
 * (item payload and result, batch settings), so that no caller ever parses stored JSON.
 */
export type Decoder<T> = (value: unknown) => T;

/** Parses and decodes a stored JSON column; `where` names the row and field for the error. */
export function decodeStored<T>(text: string, decode: Decoder<T>, where: string): T {
  const value = parse(text, where);
  try {
    return decode(value);
  } catch (cause) {
    throw new InfrastructureError(
      `the store is damaged: ${where} does not have the expected shape; restore retort.db from a backup`,
      { retryable: false, cause },
    );
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function parseJsonObject(text: string, where: string): Readonly<Record<string, JsonValue>> {
  const value = parse(text, where);
  if (!isObject(value)) throw damaged(where, 'a JSON object');
  // JSON.parse yields only JSON values.
  return value as Record<string, JsonValue>;
}

export function parseStringList(text: string, where: string): readonly string[] {
  const value = parse(text, where);
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string'))
    throw damaged(where, 'a list of strings');
  return value;
}

export function parseStringMap(text: string, where: string): Readonly<Record<string, string>> {
  const value = parse(text, where);
  if (!isObject(value) || !Object.values(value).every((v) => typeof v === 'string'))
    throw damaged(where, 'an object of strings');
  return value as Record<string, string>;
}

export function parseResources(text: string, where: string): Resources {
  const value = parse(text, where);
  if (
    !isObject(value) ||
    typeof value.cores !== 'number' ||
    typeof value.walltime_s !== 'number' ||
    (value.memory_mb !== undefined && typeof value.memory_mb !== 'number')
  )
    throw damaged(where, 'resources (cores, walltime_s, memory_mb)');
  return {
    cores: value.cores,
    walltime_s: value.walltime_s,
    ...(typeof value.memory_mb === 'number' ? { memory_mb: value.memory_mb } : {}),
  };
}

/**
 * A stored failure. A class this retort does not know (a store written by another version)
 * is read as `crash`, keeping the stored class in the message.
 */
export function parseFailure(cls: string | null, message: string | null): Failure {
  if (cls !== null && isFailureClass(cls)) return { class: cls, message: message ?? '' };
  return { class: 'crash', message: `${cls ?? 'unknown failure'}: ${message ?? ''}` };
}
