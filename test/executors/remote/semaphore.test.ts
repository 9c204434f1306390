import { describe, expect, it } from 'vitest';
import { Semaphore, type Permit } from '../../../src/executors/remote/semaphore.js';

/** Lets pending promise callbacks run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

describe('Semaphore', () => {
  it('never lets more than size holders in at once', async () => {
    const semaphore = new Semaphore(3);
    let holding = 0;
    let most = 0;
    const work = async (index: number): Promise<void> => {
      const permit = await semaphore.acquire();
      holding++;
      most = Math.max(most, holding);
      await new Promise((resolve) => setTimeout(resolve, (index * 7) % 5));
      holding--;
      permit.release();
    };
    await Promise.all(Array.from({ length: 20 }, (_, index) => work(index)));
    expect(most).toBe(3);
    expect(holding).toBe(0);
    expect(semaphore.waiting).toBe(0);
  });

  it('hands released permits to waiters in the order they asked', async () => {
    const semaphore = new Semaphore(2);
    const first = semaphore.tryAcquire();
    const second = semaphore.tryAcquire();
    expect(first).toBeDefined();
    expect(second).toBeDefined();
    expect(semaphore.tryAcquire()).toBeUndefined();

    const served: string[] = [];
    const permits = new Map<string, Permit>();
    for (const name of ['a', 'b', 'c']) {
      void semaphore.acquire().then((permit) => {
        served.push(name);
        permits.set(name, permit);
      });
    }
    await settle();
    expect(served).toEqual([]);
    expect(semaphore.waiting).toBe(3);

    second?.release();
    await settle();
    expect(served).toEqual(['a']);
    first?.release();
    await settle();
    expect(served).toEqual(['a', 'b']);
    expect(semaphore.waiting).toBe(1);

    permits.get('a')?.release();
    await settle();
    expect(served).toEqual(['a', 'b', 'c']);
    expect(semaphore.waiting).toBe(0);
  });

  it('lets no one jump the queue with tryAcquire while others wait', async () => {
    const semaphore = new Semaphore(1);
    const held = semaphore.tryAcquire();
    const waiter = semaphore.acquire();
    expect(semaphore.tryAcquire()).toBeUndefined();
    held?.release();
    const next = await waiter;
    expect(semaphore.tryAcquire()).toBeUndefined();
    next.release();
    expect(semaphore.tryAcquire()).toBeDefined();
  });

  it('ignores a second release of the same permit', async () => {
    const semaphore = new Semaphore(1);
    const permit = await semaphore.acquire();
    permit.release();
    permit.release();
    const again = semaphore.tryAcquire();
    expect(again).toBeDefined();
    expect(semaphore.tryAcquire()).toBeUndefined();
  });

  it('has at least one slot', () => {
    for (const size of [0, -3, 0.5]) {
      const semaphore = new Semaphore(size);
      expect(semaphore.tryAcquire()).toBeDefined();
      expect(semaphore.tryAcquire()).toBeUndefined();
    }
    const semaphore = new Semaphore(2.9);
    expect(semaphore.tryAcquire()).toBeDefined();
    expect(semaphore.tryAcquire()).toBeDefined();
    expect(semaphore.tryAcquire()).toBeUndefined();
  });
});
