/**
 * The compiled-contract cache (src/contract/cache.ts, ADR 0160): a hit returns the stored result,
 * and every input of a compile invalidates it — the file's bytes, its env files, the environment
 * names it looked up, the compiler. A corrupt entry is a miss that gets rewritten; concurrent
 * writers (real processes) leave one whole entry. An entry is observed by tampering with it: a hit
 * returns the tampered contract, a miss the file's.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkContract, loadContract } from '../../src/contract/load.js';
import { runFactory } from '../helpers/cli.js';
import { tempDir, type TempDir } from '../helpers/temp.js';

/** A project dir and its own state home (so the cache folder is the test's alone). */
function setup(): TempDir & { env: NodeJS.ProcessEnv; entries: () => string[] } {
  const t = tempDir();
  const state = join(t.dir, 'state');
  const dir = () => join(state, 'cache', 'contracts');
  return Object.assign(t, {
    env: { FACTORY_STATE_HOME: state } as NodeJS.ProcessEnv,
    entries: () => {
      try {
        return readdirSync(dir()).map((n) => join(dir(), n));
      } catch {
        return [];
      }
    },
  });
}

/** Rewrite the one entry's contract name: a load that returns it read the entry. */
function tamper(path: string, name: string): void {
  const e = JSON.parse(readFileSync(path, 'utf8'));
  e.result.contract.name = name;
  writeFileSync(path, JSON.stringify(e));
}

describe('the compiled-contract cache', () => {
  it('a second load of an unchanged file is served from the entry the first one wrote', async () => {
    using t = setup();
    t.write('factory.yaml', 'name: first\nservices:\n  api: { command: [node, -e, "0"] }\n');
    expect((await loadContract({ cwd: t.dir, env: t.env })).name).toBe('first');
    const [entry, ...more] = t.entries();
    expect(more).toEqual([]);
    tamper(entry as string, 'from-cache');
    expect((await loadContract({ cwd: t.dir, env: t.env })).name).toBe('from-cache');
  });

  it('a change to the file is a miss, and the place keeps one entry', async () => {
    using t = setup();
    t.write('factory.yaml', 'name: one\n');
    await loadContract({ cwd: t.dir, env: t.env });
    tamper(t.entries()[0] as string, 'stale');
    t.write('factory.yaml', 'name: two\n');
    expect((await loadContract({ cwd: t.dir, env: t.env })).name).toBe('two');
    expect(t.entries()).toHaveLength(1);
  });

  it("a change to an env file it read is a miss: the file's names decide what is defined", async () => {
    using t = setup();
    t.write('factory.yaml', 'name: x\nenv_file: { path: .env, required: false }\nenv:\n  A: ${FROM_FILE}\n');
    const codes = async () => (await checkContract({ cwd: t.dir, env: t.env })).diagnostics.map((d) => d.code);
    expect(await codes()).toEqual(['undefined-variable']);
    t.write('.env', 'FROM_FILE=1\n');
    expect(await codes()).toEqual([]);
    t.write('.env', 'OTHER=1\n');
    expect(await codes()).toEqual(['undefined-variable']);
  });

  it('the environment names it looked up are part of the entry, their values only as hashes', async () => {
    using t = setup();
    t.write('factory.yaml', 'name: x\nenv:\n  A: ${FROM_ENV}\n');
    const codes = async (extra: NodeJS.ProcessEnv) =>
      (await checkContract({ cwd: t.dir, env: { ...t.env, ...extra } })).diagnostics.map((d) => d.code);
    expect(await codes({})).toEqual(['undefined-variable']);
    expect(await codes({ FROM_ENV: 'hunter2-secret' })).toEqual([]);
    expect(readFileSync(t.entries()[0] as string, 'utf8')).not.toContain('hunter2-secret');
    expect(await codes({})).toEqual(['undefined-variable']);
  });

  it('diagnostics name the file as the caller sees it (the shown path is part of the key)', async () => {
    using t = setup();
    t.write('sub/factory.yaml', 'name: x\nenv:\n  A: ${NOPE}\n');
    const files = async (cwd: string) =>
      (await checkContract({ cwd, file: join(t.dir, 'sub', 'factory.yaml'), env: t.env })).diagnostics.map(
        (d) => d.file,
      );
    expect(await files(join(t.dir, 'sub'))).toEqual(['factory.yaml']);
    expect(await files(t.dir)).toEqual([join('sub', 'factory.yaml')]);
    expect(await files(join(t.dir, 'sub'))).toEqual(['factory.yaml']);
  });

  it('a corrupt or foreign entry is a miss and is rewritten whole', async () => {
    using t = setup();
    t.write('factory.yaml', 'name: real\n');
    await loadContract({ cwd: t.dir, env: t.env });
    const entry = t.entries()[0] as string;
    for (const junk of ['{"format": 1, "result": ', '', 'null', '{"format": 999}', '[]']) {
      writeFileSync(entry, junk);
      expect((await loadContract({ cwd: t.dir, env: t.env })).name).toBe('real');
      expect(JSON.parse(readFileSync(entry, 'utf8')).result.contract.name).toBe('real');
    }
    // An entry of another compiler build is not read.
    const e = JSON.parse(readFileSync(entry, 'utf8'));
    e.compiler = 'another-build';
    e.result.contract.name = 'other-build';
    writeFileSync(entry, JSON.stringify(e));
    expect((await loadContract({ cwd: t.dir, env: t.env })).name).toBe('real');
  });

  it('FACTORY_CONTRACT_CACHE=off compiles every time and writes nothing', async () => {
    using t = setup();
    t.write('factory.yaml', 'name: x\n');
    await loadContract({ cwd: t.dir, env: { ...t.env, FACTORY_CONTRACT_CACHE: 'off' } });
    expect(t.entries()).toEqual([]);
  });

  it('concurrent writers (eight processes compiling at once) leave one whole entry and no temp file', async () => {
    using t = setup();
    t.write('factory.yaml', 'name: race\nservices:\n  api: { command: [node, -e, "0"] }\n');
    const runs = await Promise.all(
      Array.from({ length: 8 }, () => runFactory(['check', '--json'], { cwd: t.dir, env: { ...t.env } })),
    );
    for (const r of runs) expect([r.code, JSON.parse(r.stdout).ok]).toEqual([0, true]);
    const entries = t.entries();
    expect(entries).toHaveLength(1);
    expect(JSON.parse(readFileSync(entries[0] as string, 'utf8')).result.contract.name).toBe('race');
    // And the binary reads what it wrote: a tampered entry is what the next check reports.
    tamper(entries[0] as string, 'tampered');
    const again = await runFactory(['config', '--json'], { cwd: t.dir, env: { ...t.env } });
    expect(JSON.parse(again.stdout).contract.name).toBe('tampered');
  });
});
