/**
 * `--foreground` output: every line of every service behind a coloured, padded `name |` prefix
 * (the concurrently style), factory's own lines dimmed.
 */
import { colors } from '../../lib/output.js';
import type { StartEvent } from '../../services/index.js';

const PALETTE = [colors.cyan, colors.magenta, colors.green, colors.yellow, colors.blue, colors.red];

export function prefixer(out: NodeJS.WriteStream = process.stdout): (e: StartEvent) => void {
  let width = 7;
  const colorOf = new Map<string, (s: string) => string>();
  const colorFor = (s: string) => {
    let c = colorOf.get(s);
    if (!c) {
      c = PALETTE[colorOf.size % PALETTE.length] ?? colors.cyan;
      colorOf.set(s, c);
    }
    width = Math.max(width, s.length);
    return c;
  };
  const factory = () => colors.dim(`${'factory'.padEnd(width)} |`);
  return (e) => {
    if (e.type === 'lease') {
      out.write(
        `${factory()} ports ${Object.entries(e.ports)
          .map(([n, p]) => `${n}=${p}`)
          .join(' ')}\n`,
      );
      for (const w of e.warnings) out.write(`${factory()} ${colors.yellow('warning:')} ${w}\n`);
    } else if (e.type === 'line') {
      const c = colorFor(e.service);
      const text = e.stream === 'factory' ? colors.dim(e.line) : e.line;
      out.write(`${c(`${e.service.padEnd(width)} |`)} ${text}\n`);
    } else if (e.type === 'service' && e.state !== 'pending') {
      out.write(`${factory()} ${e.service} ${e.state}${e.detail ? `: ${e.detail}` : ''}\n`);
    } else if (e.type === 'ready') {
      out.write(`${factory()} ${colors.green('ready')} in ${e.elapsedMs} ms — Ctrl-C stops everything\n`);
    } else if (e.type === 'failed') {
      out.write(`${factory()} ${colors.red(e.error.message)}\n`);
    } else if (e.type === 'stopped') {
      out.write(
        `${factory()} stopped${e.busyPorts.length ? colors.red(` (ports still bound: ${e.busyPorts.join(', ')})`) : ''}\n`,
      );
    }
  };
}
