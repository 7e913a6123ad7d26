/**
 * Progress while `start` waits: on a TTY one line rewritten in place ("… 1.2 s waiting: api (http …)"),
 * cut with an ellipsis to the terminal's width: a line that wrapped would leave its first rows on
 * screen, since `\r` + erase-line reach only the row the cursor is on. Otherwise one plain line per
 * state change. Goes to stderr; stdout keeps the result.
 */
import { colors } from '../../lib/output.js';
import type { StartEvent } from '../../services/index.js';
import { seconds } from './args.js';

export async function progressRenderer(stream: NodeJS.WriteStream = process.stderr): Promise<{
  onEvent: (e: StartEvent) => void;
  done: () => void;
}> {
  const tty = stream.isTTY === true;
  // Only a terminal's line is cut to its width: piped output (agents, CI) never loads cli-truncate.
  const cliTruncate = tty ? (await import('cli-truncate')).default : (text: string) => text;
  const waiting = new Map<string, string>();
  /** Services past waiting (ready, completed, failed, blocked): a late check result does not bring them back. */
  const settled = new Set<string>();
  let t0 = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const draw = () => {
    if (!tty) return;
    const list = [...waiting.entries()].map(([s, c]) => `${s}${c ? colors.dim(` (${c})`) : ''}`).join(', ');
    const text = list ? `${colors.cyan('…')} ${colors.dim(seconds(Date.now() - t0))} waiting: ${list}` : '';
    // One column short of the width: a line that fills the last column leaves the cursor waiting to wrap.
    stream.write(`\r\x1b[2K${cliTruncate(text, Math.max(10, (stream.columns || 80) - 1))}`);
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
        if (e.state === 'starting') {
          settled.delete(e.service);
          waiting.set(e.service, '');
        } else {
          waiting.delete(e.service);
          if (e.state === 'ready' || e.state === 'completed' || e.state === 'failed' || e.state === 'blocked')
            settled.add(e.service);
        }
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
        // A service that was already starting when start attached (its 'starting' event came before
        // the first snapshot) shows up by its first check.
        if (!settled.has(e.service)) waiting.set(e.service, `${e.check}: ${e.result.detail}`);
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
