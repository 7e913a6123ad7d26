/**
 * The import rules (.dependency-cruiser.cjs, run by `npm run depcruise` in `npm test`) really fail
 * on a forbidden import: each case lays out a tiny src/ tree in a temp dir, runs the real
 * depcruise with the project's config on it, and checks which rules fire.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp.js';

const CONFIG = join(REPO_ROOT, '.dependency-cruiser.cjs');
const DEPCRUISE = join(REPO_ROOT, 'node_modules/.bin/depcruise');

interface Violation {
  rule: { name: string };
  from: string;
  to: string;
}

/** Writes `files` (path → source) into a fresh dir with a tsconfig and runs depcruise there. */
async function cruise(
  files: Record<string, string>,
  outputType: 'json' | 'err',
): Promise<{ code: number; stdout: string }> {
  using t = tempDir('factory-layering-');
  t.write('tsconfig.json', JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext' } }));
  for (const [path, text] of Object.entries(files)) t.write(path, text);
  return await new Promise((resolve) => {
    execFile(
      DEPCRUISE,
      ['src', '--config', CONFIG, '--output-type', outputType],
      { cwd: t.dir, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout) => resolve({ code: error ? Number((error as { code?: unknown }).code) : 0, stdout }),
    );
  });
}

/** A small tree that keeps every rule: each case adds one import to it. */
const GOOD: Record<string, string> = {
  'src/lib/failure.ts': 'export const failure = 1;\n',
  'src/contract/index.ts': "import { failure } from '../lib/failure.js';\nexport const contract = failure;\n",
  'src/contract/compile.ts': 'export const compile = 1;\n',
  'src/services/index.ts': "import { contract } from '../contract/index.js';\nexport const start = contract;\n",
  'src/services/paths.ts': 'export const paths = 1;\n',
  'src/services/read.ts': "export { paths } from './paths.js';\n",
  'src/sandboxes/index.ts': 'export const sandbox = 1;\n',
  'src/sandboxes/git.ts': 'export const git = 1;\n',
  'src/agent-loop/index.ts': "import { sandbox } from '../sandboxes/index.js';\nexport const run = sandbox;\n",
  'src/jobs/index.ts': "import { run } from '../agent-loop/index.js';\nexport const job = run;\n",
  'src/server/index.ts': "import { job } from '../jobs/index.js';\nexport const serve = job;\n",
  'src/mcp/index.ts':
    "import { job } from '../jobs/index.js';\nimport { tools } from './tools.js';\nexport const mcp = [job, tools];\n",
  'src/mcp/tools.ts': 'export const tools = 1;\n',
  'src/commands/index.ts': "export const commands = { serve: () => import('./serve.js') };\n",
  'src/commands/serve.ts': "import { serve } from '../server/index.js';\nexport default serve;\n",
  'src/commands/status.ts': "import { paths } from '../services/read.js';\nexport default paths;\n",
  'src/cli.ts': "import { commands } from './commands/index.js';\nexport const main = commands;\n",
  'src/index.ts': "export { start } from './services/index.js';\nexport { run } from './agent-loop/index.js';\n",
};

/** One forbidden import per case: [what, file, its text, the rule that must name it]. */
const BAD: [string, string, string, string][] = [
  ['a layer imports one above it', 'src/contract/up.ts', "import '../services/index.js';\n", 'layer-contract'],
  ['a layer imports a folder beside it', 'src/sandboxes/up.ts', "import '../services/index.js';\n", 'layer-sandboxes'],
  ['a layer imports commands/', 'src/services/cmd.ts', "import '../commands/index.js';\n", 'no-import-of-commands'],
  ['a layer imports an entry point', 'src/jobs/srv.ts', "import '../server/index.js';\n", 'no-import-of-entry-server'],
  ['entry points import each other', 'src/mcp/srv.ts', "import '../server/index.js';\n", 'no-import-of-entry-server'],
  [
    'an entry point imports commands/',
    'src/server/cmd.ts',
    "import '../commands/index.js';\n",
    'no-import-of-commands',
  ],
  ['anything imports src/cli.ts', 'src/commands/x.ts', "import '../cli.js';\n", 'no-import-of-cli'],
  [
    'a layer reaches into internals',
    'src/agent-loop/g.ts',
    "import '../sandboxes/git.js';\n",
    'through-index-sandboxes',
  ],
  [
    'a type reaches into internals',
    'src/commands/t.ts',
    "import type { compile } from '../contract/compile.js';\nexport type T = typeof compile;\n",
    'through-index-contract',
  ],
  [
    'a hot path takes a file no entry lists',
    'src/commands/p.ts',
    "import '../services/paths.js';\n",
    'through-index-services',
  ],
  ['src/ imports a test', 'src/lib/t.ts', "import '../../test/x.js';\n", 'src-stands-alone'],
  [
    'a folder the architecture does not name',
    'src/misc/x.ts',
    "import '../lib/failure.js';\n",
    'known-folders-only-from',
  ],
  ['an import into such a folder', 'src/commands/m.ts', "import '../misc/x.js';\n", 'known-folders-only'],
  ['an import resolves to nothing', 'src/lib/typo.ts', "import './no-such-file.js';\n", 'not-to-unresolvable'],
];

describe('the import rules', () => {
  it('pass a tree that keeps them', async () => {
    const result = await cruise(GOOD, 'err');
    expect(result.stdout).toContain('no dependency violations');
    expect(result.code).toBe(0);
  });

  it('fail on each kind of forbidden import, naming the rule and the file', async () => {
    const files: Record<string, string> = { ...GOOD, 'test/x.ts': 'export {};\n' };
    for (const [, path, text] of BAD) files[path] = text;
    const json = JSON.parse((await cruise(files, 'json')).stdout) as { summary: { violations: Violation[] } };
    const found = json.summary.violations.map((v) => `${v.rule.name} ${v.from}`);
    for (const [what, path, , rule] of BAD) expect(found, what).toContain(`${rule} ${path}`);
    // and the command npm test runs exits non-zero
    const err = await cruise(files, 'err');
    expect(err.code).toBeGreaterThan(0);
    expect(err.stdout).toContain('error through-index-sandboxes: src/agent-loop/g.ts → src/sandboxes/git.ts');
  });
});
