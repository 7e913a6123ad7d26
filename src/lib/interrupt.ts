/**
 * How a long-running command learns that it should stop: Ctrl-C, SIGTERM, or the reader of its
 * output going away (`factory logs -f | head -1`; src/cli.ts reports that). The command then stops
 * what it started and returns. A command that registered nothing is simply ended by src/cli.ts
 * when its output closes, as SIGPIPE ends `git log | head`.
 */
const handlers = new Set<() => void>();

/** Call `handler` on SIGINT, SIGTERM or a closed output; returns the function that unregisters it. */
export function onInterrupt(handler: () => void): () => void {
  handlers.add(handler);
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    handlers.delete(handler);
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}

/** Tell every registered command that its output closed; false when none is registered. */
export function interruptForClosedOutput(): boolean {
  if (handlers.size === 0) return false;
  for (const handler of [...handlers]) handler();
  return true;
}
