/**
 * SIGINT/SIGTERM handling for a runner: the first signal drains (running calcs finish,
 * nothing new starts), the second kills the running calcs and returns them to the queue.
 * Returns a function that removes the handlers.
 */
export function installStopSignals(target: {
  stop(reason: string): void;
  kill(reason: string): void;
}): () => void {
  let received = 0;
  const handler = (signal: NodeJS.Signals): void => {
    received++;
    if (received === 1) {
      target.stop(`${signal} received: finishing the running calcs (send it again to kill them)`);
    } else {
      target.kill(`${signal} received twice: running calcs killed and returned to the queue`);
    }
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}
