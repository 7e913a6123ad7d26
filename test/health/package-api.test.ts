/**
 * The package as a user gets it: `npm pack` of the built package, unpacked into a temp project's
 * node_modules beside the runtime dependencies it declares, then a program using each documented
 * API (test/fixtures/package-user/main.ts, written from the docs' examples) is type-checked with
 * tsc, and the package is imported by Node. A program that imports an internal must not compile.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cli.js';
import { type TempDir, tempDir } from '../helpers/temp.js';

const FIXTURE = join(REPO_ROOT, 'test/fixtures/package-user');
const TSC = join(REPO_ROOT, 'node_modules/typescript/bin/tsc');

function exec(file: string, args: string[], cwd: string): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd, maxBuffer: 16 * 1024 * 1024, timeout: 240_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number((error as { code?: unknown }).code ?? 1) : 0, out: stdout + stderr }),
    );
  });
}

let temp: TempDir;
let app: string;

beforeAll(async () => {
  temp = tempDir('factory-package-');
  const packed = await exec('npm', ['pack', '--json', '--pack-destination', temp.dir], REPO_ROOT);
  expect(packed.code, packed.out).toBe(0);
  const [{ filename }] = JSON.parse(packed.out.slice(packed.out.indexOf('['))) as [{ filename: string }];
  app = join(temp.dir, 'app');
  const installed = join(app, 'node_modules/software-factory');
  mkdirSync(installed, { recursive: true });
  const untar = await exec('tar', ['-xzf', join(temp.dir, filename), '-C', installed, '--strip-components=1'], app);
  expect(untar.code, untar.out).toBe(0);
  // What `npm install` would put beside it: the declared runtime dependencies, and @types/node.
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
  };
  for (const name of [...Object.keys(pkg.dependencies), '@types/node']) {
    mkdirSync(join(app, 'node_modules', name, '..'), { recursive: true });
    symlinkSync(join(REPO_ROOT, 'node_modules', name), join(app, 'node_modules', name), 'dir');
  }
  temp.write('app/package.json', JSON.stringify({ name: 'user-program', private: true, type: 'module' }));
  copyFileSync(join(FIXTURE, 'main.ts'), join(app, 'main.ts'));
  copyFileSync(join(FIXTURE, 'internals.ts'), join(app, 'internals.ts'));
}, 300_000);
afterAll(() => temp?.[Symbol.dispose]());

describe('the packed package', () => {
  it('type-checks a program that uses each documented API, and refuses one that uses internals', async () => {
    temp.write(
      'app/tsconfig.json',
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          lib: ['ES2023', 'esnext.disposable'],
          types: ['node'],
          strict: true,
          noEmit: true,
          // the package's own .d.ts files are checked too: a declaration that names a
          // devDependency or a module the package does not ship fails here
          skipLibCheck: false,
        },
        files: ['main.ts', 'internals.ts'],
      }),
    );
    const result = await exec(process.execPath, [TSC, '-p', 'tsconfig.json'], app);
    const errors = result.out.split('\n').filter((line) => /^\S.*error TS/.test(line));
    expect(errors).toEqual([
      expect.stringMatching(/^internals\.ts\(4,10\): error TS2305: .*has no exported member 'resolveTemplate'/),
      expect.stringMatching(/^internals\.ts\(5,25\): error TS2307: Cannot find module 'software-factory\/dist/),
    ]);
  }, 240_000);

  it('imports in Node with every documented value', async () => {
    const names = ['loadContract', 'startInstance', 'runTests', 'validateInstance', 'run', 'createWorktree', 'walkPrd'];
    const script = `const m = await import('software-factory'); console.log(JSON.stringify(${JSON.stringify(names)}.map((n) => typeof m[n])), 'resolveTemplate' in m);`;
    const result = await exec(process.execPath, ['--input-type=module', '-e', script], app);
    expect(result.out.trim()).toBe(`${JSON.stringify(names.map(() => 'function'))} false`);
  });
});
