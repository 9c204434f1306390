import { describe, expect, it } from 'vitest';
import { whileUnreachable } from '../../../src/executors/remote/retry.js';
import { TransportError } from '../../../src/executors/remote/transport.js';

const away = (): TransportError => new TransportError('host away', { retryable: true });

describe('whileUnreachable', () => {
  it('tries again after a retryable failure and returns the first success', async () => {
    let tries = 0;
    const value = await whileUnreachable(
      () => (++tries < 2 ? Promise.reject(away()) : Promise.resolve('up')),
      { giveUpMs: 60_000 },
    );
    expect([value, tries]).toEqual(['up', 2]);
  });

  it('rethrows a failure that is not retryable at once', async () => {
    let tries = 0;
    const refused = new TransportError('key refused', { retryable: false });
    await expect(
      whileUnreachable(
        () => {
          tries++;
          return Promise.reject(refused);
        },
        { giveUpMs: 60_000 },
      ),
    ).rejects.toBe(refused);
    expect(tries).toBe(1);
  });

  it('stops waiting when its signal is aborted, rethrowing the last failure', async () => {
    const closing = new AbortController();
    let tries = 0;
    const waiting = whileUnreachable(
      () => {
        tries++;
        return Promise.reject(away());
      },
      {
        giveUpMs: 600_000,
        signal: closing.signal,
        onWait: () => {
          closing.abort();
        },
      },
    );
    await expect(waiting).rejects.toThrow('host away');
    expect(tries).toBe(1);
  });
});
