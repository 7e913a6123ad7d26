import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { afterEach, describe, expect, it } from 'vitest';
import { AgentPrdOutputSchema } from '../../src/prd/schema.js';
import { FAKE_AGENT } from './helpers/fake-runner.js';
import { createRepo, DONE, script, type TestRepo, task } from './helpers/repo.js';

const WALKER = fileURLToPath(new URL('./helpers/walker-main.mjs', import.meta.url));

let repo: TestRepo | undefined;
afterEach(() => {
  repo?.dispose();
  repo = undefined;
});

function runWalker(
  root: string,
  args: Record<string, unknown>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [WALKER, JSON.stringify({ agent: 'command', command: FAKE_AGENT, sandbox: 'none', cwd: root, ...args })],
      {
        cwd: root,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, NO_COLOR: '1' },
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('batch mode (every ready PRD, one at a time)', () => {
  it('walks ready PRDs in order; one failure does not stop the others; a reviewed PRD is not walked again', async () => {
    repo = createRepo({
      'prds/1-broken/prd.md': `---\nstatus: ready\n---\n# Broken\n\n${script([DONE])}\n`,
      'prds/1-broken/tasks/01-crash.md': task('afk', 'Crash', script([{ stderr: 'model overloaded' }, { exit: 4 }])),
      'prds/2-fine/prd.md': `---\nstatus: ready\n---\n# Fine\n\n${script([DONE])}\n`,
      'prds/2-fine/tasks/01-ok.md': task('afk', 'Works', script([{ write: 'ok.txt', content: 'ok\n' }, DONE])),
      'prds/3-person/prd.md': `---\nstatus: ready\n---\n# Person\n`,
      'prds/3-person/tasks/01-ask.md': task('hitl', 'Ask someone', 'A person decides.'),
      'prds/4-later/prd.md': '# Later (draft)\n',
    });
    const first = await runWalker(repo.root, { json: true });
    expect(first.code, first.stderr).toBe(1);
    const out = JSON.parse(first.stdout) as {
      ok: boolean;
      mode: string;
      results: Record<string, unknown>[];
      skipped: unknown[];
    };
    const ajv = new Ajv({ strict: false });
    expect(ajv.validate(AgentPrdOutputSchema, out), JSON.stringify(ajv.errors)).toBe(true);
    expect(out).toMatchObject({
      ok: false,
      mode: 'batch',
      skipped: [{ prd: 4, title: 'Later (draft)', reason: 'draft (not ready)' }],
    });
    expect(out.results.map((r) => [r.prd, r.status, r.phase])).toEqual([
      [1, 'failed', 'agent'],
      [2, 'reviewed', null],
      [3, 'paused', null],
    ]);
    expect(out.results[0]).toMatchObject({
      task: { id: 'prd-1/01', kind: 'afk' },
      resumeCommand: `factory agent run --prd 1 --agent command --command ${FAKE_AGENT} --sandbox none`,
    });
    expect(String(out.results[0]?.error)).toContain('the agent failed');
    expect(repo.read('prds/1-broken/tasks/01-crash.md')).toContain('phase: agent');

    // Second batch: PRD 2 is reviewed and skipped; the others stop where they did.
    const second = await runWalker(repo.root, {});
    expect(second.stdout).toContain('PRD 2 "Fine": skipped, already reviewed (prds/2-fine/review.md)');
    expect(second.stdout).toMatch(/2 PRDs walked: 0 reviewed, 1 paused, 1 failed, 0 with nothing to do; 2 skipped/);
    expect(repo.branchLog('factory/prd-2')).toHaveLength(2);
  });
});
