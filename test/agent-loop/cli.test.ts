import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { afterEach, describe, expect, it } from 'vitest';
import { FACTORY_BIN, REPO_ROOT, runFactory } from '../helpers/cli.js';
import { git, killAll, makeRepo, processesWith, scripted, type TestRepo } from './helpers.js';

let repo: TestRepo | undefined;
let marker = '';
afterEach(() => {
  if (marker) killAll(processesWith(marker));
  marker = '';
  repo?.cleanup();
  repo = undefined;
});

const schema = JSON.parse(readFileSync(join(REPO_ROOT, 'schema/agent-run.schema.json'), 'utf8')) as object;
const validate = new Ajv({ strict: false }).compile(schema);

describe('factory agent run', () => {
  it('--json: a completed run, shape valid against schema/agent-run.schema.json', async () => {
    repo = makeRepo();
    const r = await runFactory(
      [
        'agent',
        'run',
        '--agent',
        'claude-code',
        '--sandbox',
        'bwrap',
        '--mount',
        `${repo.bin}:ro`,
        '--branch',
        'agent/cli',
        '--name',
        'cli-run',
        '--json',
        '--arg',
        'WHO=you',
        '--prompt',
        scripted(
          [
            { write: 'x.txt', content: 'x' },
            { commit: 'x' },
            { say: 'hi {{WHO}}' },
            { say: '<promise>COMPLETE</promise>' },
          ],
          'Greet {{WHO}}.',
        ),
      ],
      { cwd: repo.repo, env: { PATH: repo.path } },
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(validate(out), JSON.stringify(validate.errors)).toBe(true);
    expect(out).toMatchObject({
      schemaVersion: 1,
      ok: true,
      outcome: 'completed',
      name: 'cli-run',
      branch: 'agent/cli',
      completionSignal: '<promise>COMPLETE</promise>',
      merge: { kind: 'left-on-branch' },
    });
    expect(git(repo.repo, 'log', '-1', '--format=%s', 'agent/cli')).toBe('x');
  });

  it('--json: an agent that reports no token usage has usage null, not zeros', async () => {
    repo = makeRepo();
    const r = await runFactory(
      [
        'agent',
        'run',
        '--agent',
        'command',
        '--command',
        join(repo.bin, 'claude'),
        '--sandbox',
        'none',
        '--branch',
        'agent/no-usage',
        '--json',
        '--prompt',
        scripted([{ say: 'nothing to count' }]),
        '--',
        '--fake-format=text',
      ],
      { cwd: repo.repo, env: { PATH: repo.path } },
    );
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { usage: unknown; iterations: Array<{ usage: unknown }> };
    expect(validate(out), JSON.stringify(validate.errors)).toBe(true);
    expect(out.usage).toBeNull();
    expect(out.iterations.map((i) => i.usage)).toEqual([null]);
  });

  it('human output: tail -f hint, summary on stdout; --agent command with args after --', async () => {
    repo = makeRepo();
    const r = await runFactory(
      [
        'agent',
        'run',
        '--agent',
        'command',
        '--command',
        join(repo.bin, 'claude'),
        '--sandbox',
        'none',
        '--merge-to-head',
        '--prompt',
        scripted([{ write: 'c.txt', content: 'c' }, { commit: 'via command' }, { say: 'DONE!' }]),
        '--completion-signal',
        'DONE!',
        '--',
        '--fake-format=text',
      ],
      { cwd: repo.repo, env: { PATH: repo.path } },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/log: tail -f .*\.factory\/logs\/agent\/run-[^ ]+\.log/);
    expect(r.stdout).toMatch(/^completed: 1 iteration\(s\), 1 commit\(s\) merged into main\n/);
    expect(readFileSync(join(repo.repo, 'c.txt'), 'utf8')).toBe('c');
  });

  it('--env reaches the agent inside bwrap; host variables do not', async () => {
    repo = makeRepo();
    const r = await runFactory(
      [
        'agent',
        'run',
        '--sandbox',
        'bwrap',
        '--mount',
        `${repo.bin}:ro`,
        '--env',
        'GREETING=hey',
        '--json',
        '--prompt',
        scripted([{ echoEnv: ['GREETING', 'HOST_ONLY_SECRET'] }]),
      ],
      {
        cwd: repo.repo,
        env: { PATH: repo.path, HOST_ONLY_SECRET: 's3cret' },
      },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).text).toBe('{"GREETING":"hey","HOST_ONLY_SECRET":null}');
  });

  it('usage mistakes exit 2 without a stack trace', async () => {
    repo = makeRepo();
    const cases: Array<[string[], string]> = [
      [[], 'error give --prompt "…" or --prompt-file path.md (or --prd N to walk a PRD)'],
      [['--prompt', 'x', '--branch', 'b', '--merge-to-head'], 'error --branch and --merge-to-head exclude each other'],
      [['--prompt', 'x', '--agent', 'claud'], 'error unknown agent "claud"'],
      [['--prompt', 'x', '--arg', 'NOEQUALS'], 'error --arg must be KEY=VALUE (got "NOEQUALS")'],
      [
        ['--prompt', 'Fix {{ISSUE}}'],
        'error missing-prompt-argument: the prompt uses {{ISSUE}} but no value was given',
      ],
      [
        ['--prompt', 'x', '--arg', 'SOURCE_BRANCH=y'],
        'error built-in-prompt-argument: SOURCE_BRANCH is a built-in prompt argument and cannot be overridden',
      ],
      [['--prompt', 'x', '--env', 'NOPE'], 'error --env must be KEY=VALUE (got "NOPE")'],
      [['--prompt', 'x', '--mount', 'a:b:c:d'], 'error --mount must be HOST[:SANDBOX_PATH][:ro] (got "a:b:c:d")'],
      [['--prompt', 'x', '--sandbox', 'vm'], 'error Unknown sandbox provider "vm".'],
      [
        ['--prompt', 'x', '--idle-timeout', 'soon'],
        'error --idle-timeout must be a duration like 90s, 45m or 2h (got "soon")',
      ],
    ];
    for (const [args, first] of cases) {
      const r = await runFactory(['agent', 'run', ...args], { cwd: repo.repo, env: { PATH: repo.path } });
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr.split('\n')[0]).toBe(first);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('a logged-out agent exits 3 with the error in --json', async () => {
    repo = makeRepo();
    const r = await runFactory(['agent', 'run', '--agent', 'codex', '--prompt', 'x', '--json'], {
      cwd: repo.repo,
      env: { PATH: repo.path, FAKE_AGENT_LOGGED_OUT: '1', CODEX_API_KEY: '' },
    });
    expect(r.code).toBe(3);
    expect(JSON.parse(r.stdout)).toMatchObject({
      schemaVersion: 1,
      ok: false,
      error: { code: 'agent-not-logged-in', hint: 'run `codex login` (or set CODEX_API_KEY)' },
    });
  });

  it('Ctrl-C (SIGINT) stops the agent and its whole tree, keeps the worktree, exits 130', async () => {
    repo = makeRepo();
    marker = `fake-agent-marker-cli-${process.pid}-${Date.now()}`;
    const child = spawn(
      process.execPath,
      [
        FACTORY_BIN,
        'agent',
        'run',
        '--agent',
        'pi',
        '--sandbox',
        'bwrap',
        '--mount',
        `${repo.bin}:ro`,
        '--merge-to-head',
        '--name',
        'sigint',
        '--stream',
        '--prompt',
        scripted([{ write: 'half.txt', content: 'h' }, { spawn: marker }, { say: 'ready-for-sigint' }, { hang: true }]),
      ],
      {
        cwd: repo.repo,
        env: { ...process.env, PATH: repo.path, NO_COLOR: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    const exited = new Promise<number | null>((res) => child.on('close', (code) => res(code)));
    await new Promise<void>((res, rej) => {
      child.stderr.setEncoding('utf8').on('data', (d: string) => {
        stderr += d;
        if (stderr.includes('ready-for-sigint')) res();
      });
      child.on('close', () => rej(new Error(`exited early: ${stderr}`)));
    });
    expect(processesWith(marker).length).toBeGreaterThan(0);
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(processesWith(marker)).toEqual([]);
    expect(stderr).toContain('error the run was aborted; the agent and its processes were stopped');
    expect(existsSync(join(repo.repo, '.factory/worktrees/sigint/half.txt'))).toBe(true);
  });

  it('--prompt-file with --output-tag/--output-schema prints the typed answer in --json', async () => {
    repo = makeRepo();
    const schemaFile = join(repo.root, 'answer.schema.json');
    writeFileSync(
      schemaFile,
      JSON.stringify({ type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'] }),
    );
    const promptFile = join(repo.root, 'p.md');
    writeFileSync(promptFile, scripted([{ say: '<answer>{"ok": true}</answer>' }], 'Reply in <answer>.'));
    const r = await runFactory(
      [
        'agent',
        'run',
        '--sandbox',
        'none',
        '--prompt-file',
        promptFile,
        '--output-tag',
        'answer',
        '--output-schema',
        schemaFile,
        '--json',
      ],
      { cwd: repo.repo, env: { PATH: repo.path } },
    );
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ outcome: 'no-changes', output: { ok: true } });
  });
});

describe('factory agent interactive (non-TTY)', () => {
  it('runs the agent attached to our stdio in the same worktree setup and merges its commits', async () => {
    repo = makeRepo();
    const r = await runFactory(
      [
        'agent',
        'interactive',
        '--agent',
        'claude-code',
        '--model',
        'm1',
        '--merge-to-head',
        '--arg',
        'WHO=tty',
        '--prompt',
        scripted(
          [{ echoArgv: true }, { write: 'i.txt', content: 'i' }, { commit: 'interactive work' }],
          'Hello {{WHO}} on {{SOURCE_BRANCH}}',
        ),
      ],
      { cwd: repo.repo, env: { PATH: repo.path } },
    );
    expect(r.code).toBe(0);
    // The agent wrote straight to the inherited stdout: its argv is the interactive one (no -p), prompt last.
    const argvLine = r.stdout.split('\n').find((l) => l.includes('"--model'));
    expect(argvLine).toBeDefined();
    const said = JSON.parse(JSON.parse(argvLine as string).message.content[0].text) as string[];
    expect(said.slice(0, 2)).toEqual(['--model', 'm1']);
    expect(said).not.toContain('-p');
    expect(said).not.toContain('--dangerously-skip-permissions');
    expect(said[2]).toMatch(/^Hello tty on factory\/run-/);
    expect(r.stderr).toMatch(/session ended \(exit 0\): 1 commit\(s\), merged/);
    expect(git(repo.repo, 'log', '-1', '--format=%s', 'main')).toBe('interactive work');
  });

  it('a missing {{KEY}} without a terminal is an error, as in run', async () => {
    repo = makeRepo();
    const r = await runFactory(['agent', 'interactive', '--prompt', 'Fix {{ISSUE}}'], {
      cwd: repo.repo,
      env: { PATH: repo.path },
    });
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe(
      'error missing-prompt-argument: the prompt uses {{ISSUE}} but no value was given',
    );
  });
});
