/**
 * The periodic "idle for N minutes" notice: while an agent prints nothing, one notice per interval
 * of silence, counted from its last output, until the idle timeout stops it. Output resets the
 * count; the notices stop for good after the completion signal (the grace period has its own
 * timer) and when the process ends.
 */

export const DEFAULT_IDLE_NOTICE_SECONDS = 60;

export class IdleNotices {
  private idleMs = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly intervalMs: number,
    private readonly timeoutMs: number,
    private readonly onNotice: (idleMs: number) => void,
  ) {
    if (intervalMs > 0 && intervalMs < timeoutMs) this.timer = setTimeout(() => this.fire(), intervalMs);
    // Never keeps the process alive by itself.
    this.timer?.unref();
  }

  /** The agent printed something. */
  activity(): void {
    this.idleMs = 0;
    this.timer?.refresh();
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private fire(): void {
    this.idleMs += this.intervalMs;
    // The idle timeout fires at timeoutMs; a notice at or after it would only repeat the failure.
    if (this.idleMs >= this.timeoutMs) {
      this.stop();
      return;
    }
    this.onNotice(this.idleMs);
    this.timer?.refresh();
  }
}

/** `45 s`, `1 minute`, `2 minutes`, `2 minutes 30 s`. */
export function formatIdle(ms: number): string {
  const totalSeconds = Math.round(ms / 100) / 10;
  if (totalSeconds < 60) return `${totalSeconds} s`;
  const minutes = Math.floor(totalSeconds / 60);
  const rest = Math.round(totalSeconds - minutes * 60);
  return `${minutes} minute${minutes === 1 ? '' : 's'}${rest > 0 ? ` ${rest} s` : ''}`;
}
