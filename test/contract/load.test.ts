/** Finding factory.yaml, and the library entry points' failure values. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findContractFile } from '../../src/contract/locate.js';
import { checkContract, loadContract } from '../../src/contract/load.js';
import { isFactoryFailure } from '../../src/lib/failure.js';
import { tempDir } from '../helpers/temp.js';

describe('finding factory.yaml', () => {
  it('looks in cwd, then parents up to the git root, and no further', () => {
    using t = tempDir();
    t.write('factory.yaml', 'name: outside\n');
    const repo = join(t.dir, 'repo');
    mkdirSync(join(repo, '.git'), { recursive: true });
    mkdirSync(join(repo, 'packages', 'api'), { recursive: true });
    expect(findContractFile(join(repo, 'packages', 'api'))).toBeUndefined();
    t.write('repo/factory.yaml', 'name: inside\n');
    expect(findContractFile(join(repo, 'packages', 'api'))).toBe(join(repo, 'factory.yaml'));
    expect(findContractFile(repo)).toBe(join(repo, 'factory.yaml'));
  });

  it('-f accepts a file or a directory holding factory.yaml', async () => {
    using t = tempDir();
    t.write('other.yaml', 'name: other\n');
    mkdirSync(join(t.dir, 'sub'));
    t.write('sub/factory.yaml', 'name: sub\n');
    expect((await loadContract({ cwd: t.dir, file: 'other.yaml' })).name).toBe('other');
    expect((await loadContract({ cwd: t.dir, file: 'sub' })).name).toBe('sub');
  });
});

describe('loadContract and checkContract', () => {
  it('an invalid contract throws invalid-contract (exit 2) carrying the diagnostics', async () => {
    using t = tempDir();
    t.write('factory.yaml', 'name: x\nservices:\n  a: { command: x, depends_on: [a] }\n');
    const error = await loadContract({ cwd: t.dir }).catch((e: unknown) => e);
    expect(isFactoryFailure(error)).toBe(true);
    if (!isFactoryFailure(error)) return;
    expect([error.code, error.message, error.exitCode]).toEqual(['invalid-contract', '1 problem in factory.yaml', 2]);
    expect(error.diagnostics.map((d) => [d.code, d.line, d.column])).toEqual([['dependency-cycle', 3, 33]]);
  });

  it('checkContract returns diagnostics instead of throwing, and the env given is the one references see', async () => {
    using t = tempDir();
    t.write('factory.yaml', 'name: x\nenv:\n  A: ${FROM_ENV}\n');
    expect((await checkContract({ cwd: t.dir, env: {} })).diagnostics.map((d) => d.code)).toEqual([
      'undefined-variable',
    ]);
    const ok = await checkContract({ cwd: t.dir, env: { FROM_ENV: '1' } });
    expect([ok.diagnostics, ok.contract?.env]).toEqual([[], { A: '${FROM_ENV}' }]);
  });

  it('no contract anywhere is a no-contract failure with a hint', async () => {
    using t = tempDir();
    mkdirSync(join(t.dir, '.git'));
    const error = await loadContract({ cwd: t.dir }).catch((e: unknown) => e);
    expect(isFactoryFailure(error) && [error.code, error.hint]).toEqual([
      'no-contract',
      'run "factory init" to write one, or pass -f <file>',
    ]);
  });
});
