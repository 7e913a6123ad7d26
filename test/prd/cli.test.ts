import { existsSync } from 'node:fs';
import { Ajv } from 'ajv';
import { afterEach, describe, expect, it } from 'vitest';
import { runFactory } from '../helpers/cli.js';
import { FAKE_AGENT } from './helpers/fake-runner.js';
import { createRepo, DONE, script, type TestRepo, task } from './helpers/repo.js';
import { AgentPrdOutputSchema } from '../../src/prd/schema.js';

/** `factory agent run --prd N` through the real binary. */
let repo: TestRepo | undefined;
afterEach(() => {
  repo?.dispose();
  repo = undefined;
});

const agent = ['--agent', 'command', '--command', FAKE_AGENT, '--sandbox', 'none'];

describe('factory agent run --prd', () => {
  it('pauses with the resume command, then finishes; --json matches its schema', async () => {
    repo = createRepo({
      'prds/2-news/prd.md': `---\nstatus: ready\n---\n# Newsletter\n\n${script([DONE])}\n`,
      'prds/2-news/tasks/01-form.md': task(
        'afk',
        'Signup form',
        script([{ write: 'form.txt', content: 'form\n' }, DONE]),
      ),
      'prds/2-news/tasks/02-copy.md': task('hitl', 'Write the copy', 'Marketing writes it.'),
    });
    const first = await runFactory(['agent', 'run', '--prd', '2', ...agent], { cwd: repo.root });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain(
      `⏸ PRD 2 paused at task #prd-2/02 "Write the copy": it is a HITL task for a person. Do it, set "status: done" in prds/2-news/tasks/02-copy.md, then run: factory agent run --prd 2 --agent command --command ${FAKE_AGENT} --sandbox none`,
    );
    expect(first.stderr).toContain('→ task #prd-2/01 Signup form (AFK)');
    expect(first.stderr).toMatch(/✓ task #prd-2\/01 committed [0-9a-f]{10}/);

    repo.write('prds/2-news/tasks/02-copy.md', task('hitl', 'Write the copy', 'Written.', 'status: done\n'));
    const second = await runFactory(['agent', 'run', '--prd', '2', ...agent, '--json'], { cwd: repo.root });
    expect(second.code, second.stderr).toBe(0);
    const out = JSON.parse(second.stdout) as Record<string, unknown>;
    const ajv = new Ajv({ strict: false });
    expect(ajv.validate(AgentPrdOutputSchema, out), JSON.stringify(ajv.errors)).toBe(true);
    expect(out).toMatchObject({
      schemaVersion: 1,
      ok: true,
      mode: 'prd',
      results: [{ prd: 2, status: 'reviewed', review: { kind: 'review-request', location: 'prds/2-news/review.md' } }],
    });

    const third = await runFactory(['agent', 'run', '--prd', '2', ...agent], { cwd: repo.root });
    expect(third.code, third.stderr).toBe(0);
    expect(third.stdout).toContain('PRD 2 "Newsletter": nothing to do (already reviewed: prds/2-news/review.md)');
  });

  it.skipIf(!existsSync('/usr/bin/bwrap'))(
    'walks a PRD with the agent in the bwrap sandbox (the default)',
    async () => {
      repo = createRepo({
        'prds/4-box/prd.md': `# Box\n\n${script([DONE])}\n`,
        'prds/4-box/tasks/01-a.md': task(
          'afk',
          'Boxed task',
          script([{ write: 'boxed.txt', content: 'in the box\n' }, { commit: 'agent: boxed' }, DONE]),
        ),
      });
      const result = await runFactory(
        ['agent', 'run', '--prd', '4', '--agent', 'command', '--command', FAKE_AGENT, '--sandbox', 'bwrap'],
        { cwd: repo.root },
      );
      expect(result.code, result.stderr).toBe(0);
      const log = repo.branchLog('factory/prd-4');
      expect(log.map((c) => c.message.split('\n')[0])).toEqual(['Boxed task', 'Review: Box']);
      expect(repo.git('show', 'factory/prd-4~1:boxed.txt')).toBe('in the box');
    },
  );

  it('reports an unknown PRD and a bad task file as usage errors (exit 2), without a stack trace', async () => {
    repo = createRepo({ 'prds/1-a/prd.md': '# A\n', 'prds/1-a/tasks/01-x.md': '---\nkind: robot\n---\n# X\n' });
    const unknown = await runFactory(['agent', 'run', '--prd', '9', ...agent], { cwd: repo.root });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('error no PRD 9 in prds/');
    const bad = await runFactory(['agent', 'run', '--prd', '1', ...agent], { cwd: repo.root });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('prds/1-a/tasks/01-x.md:2');
    expect(bad.stderr).toContain('kind must be afk or hitl (got "robot")');
    expect(bad.stderr).not.toContain('    at ');
  });
});
