/**
 * What each command loads (issue 16): the modules a command evaluates (counted by a module.register
 * load hook: ESM and the packages it reaches), and its wall time against `node -e 0`, alternated
 * (A B A B …), with the compiled-contract cache warm and with it off (FACTORY_CONTRACT_CACHE=off).
 * Run by bench/run.ts (`npm run bench -- modules`), or alone: `npx tsx bench/module-load.ts`.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Row } from './diffie-start.js';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const FACTORY = join(REPO, 'bin', 'factory.js');
const RUNS = Number(process.env.BENCH_MODULE_RUNS ?? 9);

function time(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<number> {
  const t0 = performance.now();
  return new Promise((resolve) =>
    spawn(process.execPath, args, { cwd, env, stdio: 'ignore' }).on('close', () => resolve(performance.now() - t0)),
  );
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

export async function benchModuleLoad(): Promise<Row[]> {
  const dir = mkdtempSync(join(tmpdir(), 'factory-bench-modules-'));
  const state = join(dir, 'state');
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', FACTORY_STATE_HOME: state };
  const rows: Row[] = [];
  try {
    const project = join(dir, 'p');
    const hooks = join(dir, 'hooks.mjs');
    const register = join(dir, 'register.mjs');
    writeFileSync(
      hooks,
      "import { appendFileSync } from 'node:fs';\nexport async function load(url, context, next) {\n  appendFileSync(process.env.BENCH_MODULE_LIST, `${url}\\n`);\n  return next(url, context);\n}\n",
    );
    writeFileSync(
      register,
      `import { register } from 'node:module';\nregister(${JSON.stringify(`file://${hooks}`)});\n`,
    );
    mkdirSync(project);
    writeFileSync(
      join(project, 'factory.yaml'),
      'name: m\nports: [api]\nenv:\n  API_URL: http://127.0.0.1:${API_PORT}\nservices:\n  api:\n    command: [node, -e, "0"]\n    port: api\n    one_shot: true\ntests:\n  unit:\n    command: ["true"]\n',
    );
    const commands: string[][] = [
      ['status', '--json'],
      ['env', '--json'],
      ['config', '--json'],
      ['check', '--json'],
      ['setup', '--json'],
      // a suite that needs no service: what the command itself loads and costs
      ['test', 'unit', '--json'],
    ];
    for (const args of commands) {
      const list = join(dir, `${args[0]}.list`);
      await time([FACTORY, ...args], project, env); // warms the contract cache
      await time(['--import', register, FACTORY, ...args], project, { ...env, BENCH_MODULE_LIST: list });
      const urls = readFileSync(list, 'utf8').trim().split('\n');
      const packages = [
        ...new Set(
          urls.flatMap((u) => {
            const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(u);
            return m ? [m[1] as string] : [];
          }),
        ),
      ];
      const node: number[] = [];
      const warm: number[] = [];
      const cold: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        node.push(await time(['-e', '0'], project, env));
        warm.push(await time([FACTORY, ...args], project, env));
        cold.push(await time([FACTORY, ...args], project, { ...env, FACTORY_CONTRACT_CACHE: 'off' }));
      }
      const n = median(node);
      rows.push({
        name: `\`${args.join(' ')}\`: wall time, contract cache warm`,
        value: median(warm),
        unit: 'ms',
        note: `${(median(warm) / n).toFixed(2)}× node -e 0 (${n.toFixed(0)} ms), alternated; cache off: ${median(cold).toFixed(0)} ms; loads ${urls.length} modules, packages: ${packages.join(', ') || 'none'}`,
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const row of await benchModuleLoad())
    console.log(`${row.name}: ${row.value.toFixed(0)} ms${row.note ? ` (${row.note})` : ''}`);
}
