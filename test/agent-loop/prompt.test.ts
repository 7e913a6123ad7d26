import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createAgentProvider } from '../../src/agent-loop/providers/index.js';
import { argumentValues, checkArguments, parseTemplate } from '../../src/agent-loop/prompt.js';
import { run } from '../../src/agent-loop/run.js';
import { isFactoryFailure } from '../../src/lib/failure.js';
import { bwrap, noSandbox } from '../../src/sandboxes/index.js';
import { makeRepo, scripted, type TestRepo } from './helpers.js';
import { failure } from '../helpers/failure.js';

let repo: TestRepo | undefined;
const onCleanup: Array<() => void> = [];
afterEach(() => {
  for (const f of onCleanup.splice(0)) f();
  repo?.cleanup();
  repo = undefined;
});

describe('template parsing and argument checks', () => {
  it('finds keys in text and inside shell expressions', () => {
    const p = parseTemplate('Fix #{{ISSUE}} on {{SOURCE_BRANCH}}.\n!`gh issue view {{ISSUE}}`\n!`git log -1`');
    expect(p.keys).toEqual(['ISSUE', 'SOURCE_BRANCH']);
    expect(p.segments.filter((s) => s.kind === 'shell').map((s) => (s.kind === 'shell' ? s.command : ''))).toEqual([
      'gh issue view {{ISSUE}}',
      'git log -1',
    ]);
  });

  it('missing → error with every missing key; built-in override → error; unused → warning', () => {
    const p = parseTemplate('{{A}} {{B}} {{SOURCE_BRANCH}}');
    try {
      checkArguments(p, {}, ['SOURCE_BRANCH', 'TARGET_BRANCH'], 'prompt.md');
      throw new Error('no error');
    } catch (e) {
      expect(isFactoryFailure(e) && e.exitCode).toBe(2);
      expect(isFactoryFailure(e) && e.diagnostics.map((d) => d.message)).toEqual([
        'prompt.md uses {{A}} but no value was given',
        'prompt.md uses {{B}} but no value was given',
      ]);
    }
    expect(() =>
      checkArguments(p, { A: '1', B: '2', TARGET_BRANCH: 'x' }, ['SOURCE_BRANCH', 'TARGET_BRANCH'], 'p'),
    ).toThrow('TARGET_BRANCH is a built-in prompt argument and cannot be overridden');
    expect(
      checkArguments(p, { A: '1', B: '2', EXTRA: '3' }, ['SOURCE_BRANCH'], 'p').warnings.map((w) => w.message),
    ).toEqual(['prompt argument EXTRA is not used by p']);
  });
});

describe('argument values built from JSON', () => {
  it('null and undefined are missing values naming their key, not the text "null"; objects are refused', () => {
    const args = JSON.parse('{"ISSUE": null, "TITLE": "x", "N": 4, "FLAG": true}') as Record<string, unknown>;
    try {
      argumentValues({ ...args, LATER: undefined });
      throw new Error('no error');
    } catch (e) {
      expect(isFactoryFailure(e) && e.exitCode).toBe(2);
      expect(isFactoryFailure(e) && e.code).toBe('missing-prompt-argument');
      expect(isFactoryFailure(e) && e.diagnostics.map((d) => d.message)).toEqual([
        'prompt argument ISSUE has no value (null)',
        'prompt argument LATER has no value (undefined)',
      ]);
    }
    expect(() => argumentValues({ A: { id: 1 } })).toThrow(
      'prompt argument A must be a string or a number (got object)',
    );
    expect(() => argumentValues({ A: [1] })).toThrow('(got an array)');
    expect(() => argumentValues({ A: Number.NaN })).toThrow('(got NaN)');
    expect(argumentValues({ TITLE: 'x', N: 4, FLAG: true })).toEqual({ TITLE: 'x', N: '4', FLAG: 'true' });
  });
});

describe('prompt resolution in run()', () => {
  it('an argument whose value is null fails like a missing one, before any worktree exists', async () => {
    repo = makeRepo();
    const promptArgs = JSON.parse('{"ISSUE": null}') as Record<string, string>;
    const f = await failure(
      run({
        agent: createAgentProvider('claude-code'),
        sandbox: noSandbox(),
        cwd: repo.repo,
        branchStrategy: { type: 'merge-to-head' },
        promptTemplate: scripted([{ echoPrompt: true }], 'Fix {{ISSUE}}'),
        promptArgs,
        env: { PATH: repo.path },
      }),
    );
    expect(f.code).toBe('missing-prompt-argument');
    expect(f.exitCode).toBe(2);
    expect(f.message).toBe('prompt argument ISSUE has no value (null)');
    expect(existsSync(join(repo.repo, '.factory', 'worktrees'))).toBe(false);
  });

  it('a missing argument fails before any worktree exists', async () => {
    repo = makeRepo();
    const f = await failure(
      run({
        agent: createAgentProvider('claude-code'),
        sandbox: bwrap(),
        cwd: repo.repo,
        branchStrategy: { type: 'merge-to-head' },
        promptTemplate: 'Fix {{ISSUE}}',
        env: { PATH: repo.path },
      }),
    );
    expect(f.code).toBe('missing-prompt-argument');
    expect(existsSync(join(repo.repo, '.factory', 'worktrees'))).toBe(false);
  });

  it('built-ins, arguments and shell expressions; expressions run INSIDE the sandbox, in the worktree', async () => {
    repo = makeRepo();
    const file = join(repo.root, 'prompt.md');
    // A file only the host sees: the sandbox's /tmp is its own tmpfs.
    const hostOnly = join(tmpdir(), `host-only-${process.pid}-${Date.now()}`);
    writeFileSync(hostOnly, 'x');
    onCleanup.push(() => rmSync(hostOnly, { force: true }));
    writeFileSync(
      file,
      scripted(
        [{ echoPrompt: true }],
        `On {{SOURCE_BRANCH}} → {{TARGET_BRANCH}}, issue {{ISSUE}}.\ncwd=!\`pwd\`\nhost-file=!\`test -e ${hostOnly} && echo visible || echo hidden\`\nlast=!\`git log -1 --format=%s\``,
      ),
    );
    const result = await run({
      agent: createAgentProvider('claude-code'),
      sandbox: bwrap(),
      cwd: repo.repo,
      branchStrategy: { type: 'branch', branch: 'agent/p' },
      promptFile: file,
      promptArgs: { ISSUE: 42, UNUSED: 'x' },
      env: { PATH: repo.path },
      mounts: repo.mounts,
    });
    expect(result.text).toContain('On agent/p → main, issue 42.');
    expect(result.text).toContain(`cwd=${result.worktreePath}\n`);
    expect(result.text).toContain('host-file=hidden\n');
    expect(result.text).toContain('last=initial');
    expect(result.warnings).toEqual([`prompt argument UNUSED is not used by ${file}`]);
  });

  it('argument values are never executed: not as expressions, not inside commands', async () => {
    repo = makeRepo();
    const pwned = join(repo.root, 'pwned');
    const pwned2 = join(repo.root, 'pwned2');
    const result = await run({
      agent: createAgentProvider('claude-code'),
      sandbox: noSandbox(), // no sandbox: an injection would hit the host path
      cwd: repo.repo,
      promptTemplate: scripted([{ echoPrompt: true }], 'Title: {{TITLE}}\nEcho: !`printf "%s" {{BODY}}`'),
      promptArgs: { TITLE: `!\`touch ${pwned}\``, BODY: `$(touch ${pwned2}); {{TITLE}} \`touch ${pwned2}\`` },
      env: { PATH: repo.path },
    });
    expect(existsSync(pwned)).toBe(false);
    expect(existsSync(pwned2)).toBe(false);
    expect(result.text).toContain(`Title: !\`touch ${pwned}\``);
    expect(result.text).toContain(`Echo: $(touch ${pwned2}); {{TITLE}} \`touch ${pwned2}\``);
  });

  it('an inline `prompt` is literal: no substitution, no expansion', async () => {
    repo = makeRepo();
    const pwned = join(repo.root, 'pwned');
    const result = await run({
      agent: createAgentProvider('claude-code'),
      sandbox: noSandbox(),
      cwd: repo.repo,
      prompt: scripted([{ echoPrompt: true }], `{{X}} !\`touch ${pwned}\``),
      env: { PATH: repo.path },
    });
    expect(existsSync(pwned)).toBe(false);
    expect(result.text).toContain(`{{X}} !\`touch ${pwned}\``);
  });

  it('a failing shell expression fails the run with its stderr', async () => {
    repo = makeRepo();
    const f = await failure(
      run({
        agent: createAgentProvider('claude-code'),
        sandbox: noSandbox(),
        cwd: repo.repo,
        promptTemplate: 'x !`echo nope >&2; exit 3`',
        env: { PATH: repo.path },
      }),
    );
    expect(f.code).toBe('prompt-expansion-failed');
    expect(f.message).toBe("the prompt's shell expression !`echo nope >&2; exit 3` exited with 3: nope");
  });
});
