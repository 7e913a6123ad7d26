/**
 * `-f/--file` pointing at something that is not a regular file is refused before anything opens
 * it: a FIFO used to hang `check` (and `start`, deaf to SIGTERM while blocked in the open), a
 * character device was read past the size cap. A regular file, or a directory holding
 * factory.yaml, is accepted. Every command with a `file` option (read from the registry) is tried.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CommandDef } from 'citty';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commands } from '../../src/commands/index.js';
import { runFactory } from '../helpers/cli.js';

let dir: string;
let socketServer: Server;
/** Every command (by name) that declares a `file` option. */
const withFile: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'factory-file-kinds-'));
  execFileSync('mkfifo', [join(dir, 'fifo.yaml')]);
  mkdirSync(join(dir, 'fifo-inside'));
  execFileSync('mkfifo', [join(dir, 'fifo-inside', 'factory.yaml')]);
  mkdirSync(join(dir, 'empty'));
  mkdirSync(join(dir, 'good'));
  writeFileSync(join(dir, 'good', 'factory.yaml'), 'name: good\nservices: {}\n');
  socketServer = createServer();
  await new Promise<void>((r) => socketServer.listen(join(dir, 'socket.yaml'), r));
  for (const [name, lazy] of Object.entries(commands)) {
    const cmd = (await lazy()) as CommandDef;
    const args = typeof cmd.args === 'function' ? await cmd.args() : await cmd.args;
    if (args && 'file' in args) withFile.push(name);
  }
});

afterAll(async () => {
  await new Promise((r) => socketServer?.close(r));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Commands that need an argument before they look at the contract. */
const POSITIONAL: Record<string, string[]> = { restart: ['web'] };

const refused: Array<[string, (d: string) => string, string]> = [
  ['a FIFO', (d) => join(d, 'fifo.yaml'), 'is a FIFO, not a file'],
  ['a character device', () => '/dev/zero', 'is a character device, not a file'],
  ['/dev/null', () => '/dev/null', 'is a character device, not a file'],
  ['a socket', (d) => join(d, 'socket.yaml'), 'is a socket, not a file'],
  ['a directory whose factory.yaml is a FIFO', (d) => join(d, 'fifo-inside'), 'is a FIFO, not a file'],
];

describe('-f refuses what is not a regular file, before reading it', () => {
  it('the commands with a file option are found', () => {
    expect(withFile).toEqual(
      expect.arrayContaining(['check', 'config', 'start', 'status', 'logs', 'env', 'setup', 'test', 'validate']),
    );
  });

  for (const [what, path, message] of refused) {
    it(`${what}: every command exits 2 at once with what it is and a hint`, async () => {
      await Promise.all(
        withFile.map(async (name) => {
          const target = path(dir);
          const r = await runFactory([name, ...(POSITIONAL[name] ?? []), '--file', target], {
            cwd: dir,
            timeoutMs: 30_000,
          });
          expect(r.signal, `${name} --file ${target} hung`).toBeNull();
          expect(r.stderr, name).toBe(
            `error ${target}${what.startsWith('a directory') ? '/factory.yaml' : ''} ${message}\n` +
              '  hint: pass the factory.yaml file, or the directory that holds it\n',
          );
          expect(r.code, name).toBe(2);
        }),
      );
    });
  }

  it('a regular file or a directory holding factory.yaml is read', async () => {
    for (const file of [join(dir, 'good', 'factory.yaml'), join(dir, 'good')]) {
      const r = await runFactory(['check', '-f', file], { cwd: dir });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('valid');
    }
  });

  it('a directory without factory.yaml says so', async () => {
    const r = await runFactory(['check', '-f', join(dir, 'empty')], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`error no factory.yaml in ${join(dir, 'empty')}\n`);
  });

  it('a factory.yaml found by the upward search that is a FIFO is refused too', async () => {
    const r = await runFactory(['check'], { cwd: join(dir, 'fifo-inside'), timeoutMs: 30_000 });
    expect(r.signal).toBeNull();
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe('error factory.yaml is a FIFO, not a file');
  });
});
