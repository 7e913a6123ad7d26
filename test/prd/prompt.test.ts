import { describe, expect, it } from 'vitest';
import { buildReviewPrompt, buildTaskPrompt, COMPLETION_SIGNAL } from '../../src/prd/prompt.js';
import type { Prd, Task } from '../../src/backlog/types.js';

const prd: Prd = {
  number: 3,
  title: 'Checkout',
  body: 'Users pay. Use {{TOKEN}} and !`rm -rf /` literally.',
  state: 'ready',
  ref: 'prd-3',
  location: 'prds/3-c/prd.md',
};
const t = (n: number, title: string, kind: 'afk' | 'hitl' = 'afk'): Task => ({
  id: `prd-3/0${n}`,
  position: n,
  title,
  body: `Body of ${title}.`,
  kind,
  state: 'open',
  blockedBy: [],
  location: `prds/3-c/tasks/0${n}.md`,
});

describe('PRD prompts', () => {
  it('puts the task first, then the PRD, what is done and what remains, and the rules', () => {
    const prompt = buildTaskPrompt({
      prd,
      task: t(2, 'Payment API'),
      done: [t(1, 'Cart')],
      remaining: [t(3, 'Legal', 'hitl')],
      branch: 'factory/prd-3',
    });
    const order = [
      '## Your task: #prd-3/02 Payment API',
      'Body of Payment API.',
      '## The PRD this task belongs to: #prd-3 Checkout',
      '## Done already',
      '- #prd-3/01 Cart (AFK)',
      '## Remaining after this task',
      '- #prd-3/03 Legal (HITL)',
      '## Rules',
    ];
    const positions = order.map((s) => prompt.indexOf(s));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(prompt).toContain('Users pay. Use {{TOKEN}} and !`rm -rf /` literally.');
    expect(prompt).toContain(`print ${COMPLETION_SIGNAL} on its own line`);
    expect(prompt).toContain('Do not push');
    expect(prompt).not.toContain('previous attempt');
  });

  it('carries the previous failure into a retry, and lists the commits for the review', () => {
    const retry = buildTaskPrompt({
      prd,
      task: t(1, 'Cart'),
      done: [],
      remaining: [],
      branch: 'b',
      previousFailure: 'tests: unit exited 1',
    });
    expect(retry).toContain('## The previous attempt at this task failed\n\n```\ntests: unit exited 1\n```');
    expect(retry).toContain('## Done already\n\n(none)');
    const review = buildReviewPrompt({
      prd,
      tasks: [t(1, 'Cart')],
      branch: 'factory/prd-3',
      base: 'main',
      commits: [{ sha: 'abcdef1234567890', subject: 'Cart' }],
    });
    expect(review).toContain('## Commits (main..factory/prd-3)\n\n- abcdef1234 Cart');
    expect(review).toContain('git diff main...HEAD');
  });
});
