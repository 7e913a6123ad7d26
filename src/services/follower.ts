/**
 * A pull-style reader of the supervisor's event stream (so `start` can hold the connection across
 * its lock and then consume events in a plain loop).
 */
import type { Socket } from 'node:net';
import { connect, lines, type StreamItem } from './socket.js';

export class Follower {
  private readonly queue: StreamItem[] = [];
  private waiting: ((v: StreamItem | null) => void) | undefined;
  private closed = false;

  private constructor(private readonly sock: Socket) {
    lines(sock, (item) => this.push(item as StreamItem));
    sock.on('error', () => undefined);
    sock.on('close', () => {
      this.closed = true;
      this.waiting?.(null);
      this.waiting = undefined;
    });
  }

  private push(item: StreamItem): void {
    if (this.waiting) {
      const w = this.waiting;
      this.waiting = undefined;
      w(item);
    } else this.queue.push(item);
  }

  static async open(path: string, withLines = false): Promise<Follower> {
    const sock = await connect(path);
    const f = new Follower(sock);
    sock.write(`${JSON.stringify({ cmd: 'subscribe', lines: withLines })}\n`);
    return f;
  }

  /** The next item, or null once the supervisor closed the connection. */
  next(): Promise<StreamItem | null> {
    const item = this.queue.shift();
    if (item) return Promise.resolve(item);
    if (this.closed) return Promise.resolve(null);
    return new Promise((r) => (this.waiting = r));
  }

  close(): void {
    this.sock.destroy();
  }
}
