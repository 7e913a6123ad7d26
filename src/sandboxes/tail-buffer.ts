/**
 * Keeps only the last `limit` bytes of a stream. An agent can print gigabytes over a long run; the
 * result only needs the tail (completion signal, error message), and everything else has already
 * gone to the streaming callbacks. Memory stays O(limit) whatever the output size.
 */
export class TailBuffer {
  private chunks: Buffer[] = [];
  private size = 0;
  /** Bytes discarded from the front so far. */
  dropped = 0;

  constructor(private readonly limit: number) {}

  push(chunk: Buffer): void {
    if (this.limit <= 0) {
      this.dropped += chunk.length;
      return;
    }
    if (chunk.length >= this.limit) {
      // A single huge chunk: keep its tail only (copy, so the big buffer can be collected).
      this.dropped += this.size + chunk.length - this.limit;
      this.chunks = [Buffer.from(chunk.subarray(chunk.length - this.limit))];
      this.size = this.limit;
      return;
    }
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.size > this.limit) {
      const first = this.chunks[0];
      if (first === undefined) break;
      const excess = this.size - this.limit;
      if (first.length <= excess) {
        this.chunks.shift();
        this.size -= first.length;
        this.dropped += first.length;
      } else {
        this.chunks[0] = Buffer.from(first.subarray(excess));
        this.size -= excess;
        this.dropped += excess;
      }
    }
  }

  /** The kept bytes as UTF-8; a multi-byte character cut at the front is dropped, not garbled. */
  toString(): string {
    let buf = Buffer.concat(this.chunks, this.size);
    if (this.dropped > 0) {
      let skip = 0;
      // Skip UTF-8 continuation bytes (10xxxxxx) left over from a character cut in half.
      while (skip < buf.length && skip < 3 && ((buf[skip] ?? 0) & 0xc0) === 0x80) skip++;
      buf = buf.subarray(skip);
    }
    return buf.toString('utf8');
  }

  get byteLength(): number {
    return this.size;
  }
}
