/** The process's SIGINT/SIGTERM, as `serve` and `mcp` handle them. */
export interface SignalWatch {
  /** The first SIGINT or SIGTERM. */
  readonly signalled: Promise<NodeJS.Signals>;
  /** Shutting down for another reason: stop waiting; a signal from now on exits at once (130). Idempotent. */
  stopWaiting(): void;
  /** Removes every listener (a failed start). */
  dispose(): void;
}

/**
 * Waits for the first SIGINT or SIGTERM; a second one during shutdown exits at once.
 * Listeners are in place when this returns.
 */
export function watchSignals(): SignalWatch {
  // Signal listeners alone do not keep Node's event loop alive.
  const keepAlive = setInterval(() => undefined, 2 ** 30);
  const again = (): void => process.exit(130);
  let resolveSignal!: (signal: NodeJS.Signals) => void;
  const signalled = new Promise<NodeJS.Signals>((resolve) => (resolveSignal = resolve));
  let waiting = true;
  const first = (signal: NodeJS.Signals): void => {
    stopWaiting();
    resolveSignal(signal);
  };
  const removeFirst = (): void => {
    clearInterval(keepAlive);
    process.off('SIGINT', first);
    process.off('SIGTERM', first);
  };
  const stopWaiting = (): void => {
    if (!waiting) return;
    waiting = false;
    removeFirst();
    process.once('SIGINT', again);
    process.once('SIGTERM', again);
  };
  process.on('SIGINT', first);
  process.on('SIGTERM', first);
  return {
    signalled,
    stopWaiting,
    dispose() {
      waiting = false;
      removeFirst();
      process.off('SIGINT', again);
      process.off('SIGTERM', again);
    },
  };
}
