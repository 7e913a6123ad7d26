/**
 * Progress while `start` waits: on a TTY one line rewritten in place ("waiting: api (http …/health) 1.2 s");
 * otherwise one plain line per state change. Goes to stderr; stdout keeps the result.
 */
import { colors } from '../../lib/output.js';
import type { StartEvent } from '../../services/index.js';
import { seconds } from './args.js';

export function progressRenderer(stream: NodeJS.WriteStream = process.stderr): {
  onEvent: (e: StartEvent) => void;
  done: () => void;
} {
  const tty = stream.isTTY === true;
  const waiting = new Map<string, string>();
  let t0 = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const draw = () => {
    if (!tty) return;
    const list = [...waiting.entries()].map(([s, c]) => `${s}${c ? colors.dim(` (${c})`) : ''}`).join(', ');
    stream.write(
      `\r\x1b[2K${list ? `${colors.cyan('…')} waiting: ${list} ${colors.dim(seconds(Date.now() - t0))}` : ''}`,
    );
  };
  const line = (text: string) => {
    if (tty) stream.write('\r\x1b[2K');
    stream.write(`${text}\n`);
    draw();
  };
  if (tty) timer = setInterval(draw, 100).unref();
  const onEvent = (e: StartEvent) => {
    switch (e.type) {
      case 'lease':
        t0 = Date.now();
        line(
          colors.dim(
            `ports ${Object.entries(e.ports)
              .map(([n, p]) => `${n}=${p}`)
              .join(' ')}${e.moved ? ` (moved from ${e.moved.from}: ${e.moved.reason})` : ''}`,
          ),
        );
        for (const w of e.warnings) line(`${colors.yellow('warning:')} ${w}`);
        return;
      case 'attached':
        line(`already running (supervisor pid ${e.pid}, ${e.phase}): attached`);
        return;
      case 'service':
        if (e.state === 'starting') waiting.set(e.service, '');
        else waiting.delete(e.service);
        if (e.state === 'ready' || e.state === 'completed')
          line(`${colors.green('✓')} ${e.service} ${e.state} ${colors.dim(seconds(e.elapsedMs))}`);
        else if (e.state === 'failed' || e.state === 'blocked')
          line(`${colors.red('✗')} ${e.service} ${e.state}: ${e.detail ?? ''}`);
        else if (e.state === 'restarting') line(`${colors.yellow('↻')} ${e.service} ${e.detail ?? 'restarting'}`);
        else if (e.state === 'starting' && !tty)
          line(`${colors.cyan('→')} ${e.service} starting ${colors.dim(seconds(e.elapsedMs))}`);
        else draw();
        return;
      case 'check':
        if (waiting.has(e.service)) waiting.set(e.service, `${e.check}: ${e.result.detail}`);
        draw();
        return;
      default:
        return;
    }
  };
  return {
    onEvent,
    done: () => {
      clearInterval(timer);
      if (tty) stream.write('\r\x1b[2K');
    },
  };
}
