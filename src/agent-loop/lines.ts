/**
 * Bounded stream helpers. An agent may print gigabytes (a runaway `cat`, a log dump) and may print
 * one enormous line with no newline: memory must not follow.
 *
 * - `LineSplitter` turns chunks into lines, keeping at most `maxLineChars` of a line; the rest of an
 *   over-long line is dropped and the line is reported with `truncated: true`.
 * - `TextTail` keeps the last `maxChars` of the agent's text (for the completion signal, the
 *   structured-output tag and the result's `text`).
 */

export const DEFAULT_MAX_LINE_CHARS = 1024 * 1024;

export class LineSplitter {
  private partial = '';
  private dropping = false;

  constructor(
    private readonly onLine: (line: string, truncated: boolean) => void,
    private readonly maxLineChars = DEFAULT_MAX_LINE_CHARS,
  ) {}

  push(chunk: string): void {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf('\n', start);
      if (nl < 0) break;
      this.append(chunk.slice(start, nl));
      this.emit();
      start = nl + 1;
    }
    if (start < chunk.length) this.append(chunk.slice(start));
  }

  /** Flush a last line that had no trailing newline. */
  end(): void {
    if (this.partial.length > 0 || this.dropping) this.emit();
  }

  private append(piece: string): void {
    if (this.dropping) return;
    const room = this.maxLineChars - this.partial.length;
    if (piece.length <= room) {
      this.partial += piece;
    } else {
      this.partial += piece.slice(0, room);
      this.dropping = true;
    }
  }

  private emit(): void {
    let line = this.partial;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    const truncated = this.dropping;
    this.partial = '';
    this.dropping = false;
    this.onLine(line, truncated);
  }
}

export class TextTail {
  private text = '';
  dropped = 0;

  constructor(private readonly maxChars: number) {}

  push(piece: string): void {
    this.text += piece;
    // Trim in batches (at 2× the bound) so a stream of small pieces does not copy on every push.
    if (this.text.length > this.maxChars * 2) {
      const cut = this.text.length - this.maxChars;
      this.dropped += cut;
      this.text = this.text.slice(cut);
    }
  }

  toString(): string {
    return this.text.length > this.maxChars ? this.text.slice(this.text.length - this.maxChars) : this.text;
  }
}
