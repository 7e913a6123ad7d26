/** The job state machine, and the pure pieces of the pipeline around it. */
import { describe, expect, it } from 'vitest';
import { gatedFiles, needsApproval } from '../../src/jobs/approval.js';
import { JOB_STATES } from '../../src/jobs/index.js';
import { checkPlan } from '../../src/jobs/stages/plan.js';
import { featureScenario } from '../../src/jobs/stages/record.js';
import {
  canTransition,
  checkTransition,
  isLive,
  LIVE_STATES,
  STAGE_FOR,
  type Transition,
} from '../../src/jobs/states.js';
import type { Job, Plan } from '../../src/jobs/types.js';
import { CONFIG } from './store-suite.js';

describe('the transition table', () => {
  it('walks the seed path forward, one state at a time', () => {
    const path = [
      'received',
      'planned',
      'worktree_created',
      'sandbox_created',
      'dev_environment_starting',
      'dev_environment_ready',
      'implementation_in_progress',
      'tests_running',
      'browser_validation_running',
      'video_recorded',
      'pr_opened',
      'review_running',
      'ready_for_human_review',
      'merged',
    ] as const;
    for (let i = 1; i < path.length; i++) expect(canTransition(path[i - 1] as never, path[i] as never)).toBe(true);
    expect(canTransition('received', 'worktree_created')).toBe(false);
  });

  it('lets every live state fail or be cancelled, and nothing leave merged or closed', () => {
    for (const s of LIVE_STATES) {
      expect(canTransition(s, 'failed')).toBe(true);
      expect(canTransition(s, 'cancelled')).toBe(true);
    }
    for (const end of ['merged', 'closed'] as const)
      for (const to of JOB_STATES) expect(canTransition(end, to)).toBe(false);
  });

  it('sends fix rounds back to the builder only from the checking states', () => {
    const back = JOB_STATES.filter((s) => canTransition(s, 'implementation_in_progress'));
    expect(back.sort()).toEqual(
      [
        'browser_validation_running',
        'cancelled',
        'dev_environment_ready',
        'failed',
        'review_running',
        'tests_running',
      ].sort(),
    );
  });

  it('retries failed and cancelled jobs into a live state only', () => {
    expect(canTransition('failed', 'tests_running')).toBe(true);
    expect(canTransition('cancelled', 'received')).toBe(true);
    expect(canTransition('failed', 'merged')).toBe(false);
    expect(canTransition('failed', 'cancelled')).toBe(false);
  });

  it('rejects an illegal transition at run time with a FactoryFailure', () => {
    expect(() => checkTransition('planned', 'merged')).toThrow(expect.objectContaining({ code: 'illegal-transition' }));
  });

  it('rejects an illegal transition at compile time', () => {
    const legal: Transition = { from: 'tests_running', to: 'implementation_in_progress' };
    // @ts-expect-error received cannot go to merged
    const illegal: Transition = { from: 'received', to: 'merged' };
    expect([legal, illegal]).toHaveLength(2);
  });

  it('names a stage for every live state except the two that wait for a person', () => {
    expect(LIVE_STATES.filter((s) => STAGE_FOR[s] === null).sort()).toEqual(['ready_for_human_review']);
    expect(STAGE_FOR.awaiting_approval).toBe('publish');
    expect(isLive('ready_for_human_review')).toBe(true);
    expect(isLive('failed')).toBe(false);
  });
});

const plan = (browserSteps: Plan['browserSteps']): Plan => ({
  summary: 's',
  steps: ['x'],
  acceptanceCriteria: [{ id: 'AC1', text: 't', proof: 'browser' }],
  browserSteps,
  risk: 'low',
  rollback: 'r',
});

describe("the planner's browser steps", () => {
  it('allow paths and loopback URLs only', () => {
    expect(() => checkPlan(plan([{ action: 'goto', url: '/projects' }]))).not.toThrow();
    expect(() => checkPlan(plan([{ action: 'goto', url: 'http://app.job-1.diffie.localhost:8088/' }]))).not.toThrow();
    expect(() => checkPlan(plan([{ action: 'goto', url: 'https://evil.example/' }]))).toThrow(
      expect.objectContaining({ code: 'plan-invalid' }),
    );
  });

  it('become the feature scenario, their strings kept as data', () => {
    const contract = {
      validation: { startUrl: '${APP_URL}', scenarios: [{ name: 'feature' }] },
      services: {},
    } as never;
    const s = featureScenario(
      contract,
      [
        { action: 'goto', url: '/p?x=${SECRET}' },
        { action: 'fill', selector: '#n', value: 'a ${TOKEN} b' },
        { action: 'wait_for', text: 'cost $5' },
      ],
      'title',
    );
    expect(s?.name).toBe('feature-2');
    expect(s?.startUrl).toBe('${APP_URL}');
    expect(s?.steps.slice(0, 3)).toEqual([
      { action: 'goto', url: '${APP_URL}/p?x=$${SECRET}' },
      { action: 'fill', selector: '#n', value: 'a $${TOKEN} b' },
      { action: 'wait_for', text: 'cost $$5', timeoutMs: 10_000 },
    ]);
    expect(featureScenario(contract, [], 'title')).toBeUndefined();
  });
});

describe('approval gates', () => {
  const job = (files: string[], approval?: Job['data']['approval']): Job =>
    ({
      config: { ...CONFIG, approvalPaths: ['db/migrations/**', '*.sql'] },
      data: {
        rounds: [],
        attempts: {},
        diff: {
          base: 'a',
          head: 'b',
          patch: 'diff.patch',
          stat: '',
          files: files.map((path) => ({ path, status: 'modified', additions: 1, deletions: 0, binary: false })),
        },
        ...(approval ? { approval } : {}),
      },
    }) as unknown as Job;

  it('match changed files against the globs', () => {
    expect(gatedFiles(job(['db/migrations/001.sql', 'web/app.js', 'seed.sql']))).toEqual([
      'db/migrations/001.sql',
      'seed.sql',
    ]);
    expect(needsApproval(job(['web/app.js']))).toEqual([]);
  });

  it('an approval covers the files it was given for', () => {
    const approved = { matched: ['db/migrations/001.sql'], approvedAt: '2026-01-01T00:00:00Z', approvedBy: 'ann' };
    expect(needsApproval(job(['db/migrations/001.sql'], approved))).toEqual([]);
    expect(needsApproval(job(['db/migrations/001.sql', 'db/migrations/002.sql'], approved))).toEqual([
      'db/migrations/002.sql',
    ]);
  });
});
