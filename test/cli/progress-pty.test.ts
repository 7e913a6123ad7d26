/**
 * The updating progress line of `factory start` on a real terminal, 80 columns wide (a tmux pane:
 * a real pty and a real terminal emulator, whose screen we read back). Three slow services with long
 * names and long check details make the line far longer than 80 columns; it must be cut to fit and
 * redrawn in place, leaving no stale rows: when start is done the screen shows only the permanent
 * lines (ports, one ✓ per service, ready, the URLs).
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FACTORY_BIN } from '../helpers/cli.js';
import { basePort, makeProject, svc, until, type Project } from '../services/helpers.js';

/** The tmux server's socket lives in the test project's folder, so its cleanup removes it. */
const tmux = (...args: string[]) =>
  execFileSync('tmux', ['-S', join(p.dir, '.tmux.sock'), '-f', '/dev/null', ...args], { encoding: 'utf8' });

const names = ['alpha-service-with-a-long-name', 'beta-service-with-a-long-name', 'gamma-service-with-a-long-name'];

let p: Project;
beforeAll(() => {
  // The three wait for `base` (slow to listen), so they start while start is already following.
  const services = names
    .map(
      (n, i) => `  ${n}:
    command: ${svc('--listen', `P${i}_PORT`, '--delay', '1500')}
    port: p${i}
    depends_on: { base: healthy }
    healthcheck: { http: "http://127.0.0.1:\${P${i}_PORT}/health/of/a/rather/long/path", interval: 20ms }
    url: http://127.0.0.1:\${P${i}_PORT}/`,
    )
    .join('\n');
  p = makeProject(
    `name: tty\nports: [p0, p1, p2, b]\nservices:\n  base:\n    command: ${svc('--listen', 'B_PORT', '--delay', '2500')}\n    port: b\n    healthcheck: { http: "http://127.0.0.1:\${B_PORT}/health", interval: 20ms }\n${services}\n`,
  );
});

afterAll(async () => {
  try {
    tmux('kill-server');
  } catch {
    // no server left
  }
  await p?.cleanup();
});

describe('the progress line on an 80-column terminal', { timeout: 120_000 }, () => {
  it('fits the width, is redrawn in place, and leaves no stale line', async () => {
    const command = `node ${JSON.stringify(FACTORY_BIN)} start --worktree-id tty --port-range ${basePort(22)}; echo "exit=$?"; exec sleep 300`;
    tmux('new-session', '-d', '-x', '80', '-y', '50', '-s', 'start', '-c', p.dir, 'sh', '-c', command);
    expect(tmux('display-message', '-p', '-t', 'start', '#{pane_width}').trim()).toBe('80');
    // Seen while the services are still waiting: the line is there and fits (-J joins wrapped rows).
    const waiting = await until('the progress line', () => {
      const screen = tmux('capture-pane', '-p', '-J', '-t', 'start');
      return screen.split('\n').find((l) => l.includes('waiting:'));
    });
    expect(waiting.length).toBeLessThanOrEqual(79);
    expect(waiting).toContain('…');
    const screen = await until('start to finish', () => {
      const s = tmux('capture-pane', '-p', '-J', '-t', 'start');
      return s.includes('exit=') ? s : undefined;
    });
    const rows = screen.split('\n').filter((l) => l.trim() !== '');
    expect(rows.filter((l) => l.includes('waiting'))).toEqual([]);
    expect(rows[0]).toMatch(/^ports p0=\d+ p1=\d+ p2=\d+ b=\d+$/);
    expect(rows.filter((l) => /^✓ \S+ ready/.test(l)).map((l) => l.split(' ')[1])).toEqual(
      expect.arrayContaining([...names, 'base']),
    );
    expect(rows.filter((l) => l.startsWith('ready tty in '))).toHaveLength(1);
    expect(rows.at(-1)).toBe('exit=0');
    // ports, four ✓, ready, three URLs, exit: nothing else is left on the screen.
    expect(rows).toHaveLength(10);
  });
});
