/**
 * A job folder as the pipeline leaves it after a two-round job: a real webm video and PNG
 * screenshots made with the system ffmpeg, a real `git diff` patch, logs and a manifest that
 * matches schema/job.schema.json. The review page and publisher tests render it.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JobManifest } from '../../src/publish/index.js';

export const SECRET = 'sekr3t-value-9f8e7d6c5b4a';
export const GH_TOKEN = `ghp_${'A1b2C3d4E5'.repeat(4)}`;

export interface JobFolder {
  dir: string;
  manifest: JobManifest;
}

function media(dir: string): void {
  mkdirSync(join(dir, 'validation/feature'), { recursive: true });
  const ff = (args: string[]) => execFileSync('ffmpeg', ['-loglevel', 'error', '-y', ...args], { stdio: 'pipe' });
  ff([
    ...['-f', 'lavfi', '-i', 'testsrc=size=640x360:rate=10:duration=2'],
    ...['-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8', join(dir, 'validation/feature/video.webm')],
  ]);
  ff(['-f', 'lavfi', '-i', 'testsrc=size=640x360', '-frames:v', '1', join(dir, 'validation/feature/01-header.png')]);
  ff(['-f', 'lavfi', '-i', 'smptebars=size=640x360', '-frames:v', '1', join(dir, 'validation/feature/poster.png')]);
}

const PATCH = `diff --git a/app/src/header.tsx b/app/src/header.tsx
index 1111111..2222222 100644
--- a/app/src/header.tsx
+++ b/app/src/header.tsx
@@ -1,5 +1,7 @@
 export function Header({ projects }: { projects: Project[] }) {
   return (
     <header>
-      <h1>diffie</h1>
+      <h1>diffie</h1>
+      <span id="project-count">{projects.length} projects</span>
+      {/* token=${SECRET} */}
     </header>
   );
diff --git a/app/test/header.test.ts b/app/test/header.test.ts
new file mode 100644
index 0000000..3333333
--- /dev/null
+++ b/app/test/header.test.ts
@@ -0,0 +1,3 @@
+import { test } from 'node:test';
+test('header shows the count', () => {});
+// ${GH_TOKEN}
`;

export function makeJobFolder(overrides: Partial<JobManifest> = {}): JobFolder {
  const dir = mkdtempSync(join(tmpdir(), 'factory-review-'));
  media(dir);
  mkdirSync(join(dir, 'logs'), { recursive: true });
  mkdirSync(join(dir, 'tests/r2'), { recursive: true });
  writeFileSync(join(dir, 'diff.patch'), PATCH);
  for (const f of ['logs/build-1.log', 'logs/build-2.log', 'logs/review.log', 'tests/r2/unit.log'])
    writeFileSync(join(dir, f), `log of ${f}\n`);
  writeFileSync(join(dir, 'tests/r2/unit.xml'), '<testsuite tests="4" failures="0"/>');
  writeFileSync(join(dir, 'validation/report.html'), '<!doctype html><title>report</title>');
  const usage = { input: 1200, output: 340, cacheRead: 5000, cacheWrite: 0, costUsd: 0.0123 };
  const t0 = Date.parse('2026-12-01T10:00:00.000Z');
  const at = (s: number) => new Date(t0 + s * 1000).toISOString();
  const states = [
    ['received', 'worker', 1, 'queued from the CLI'],
    ['planned', 'planner', 1, 'plan: 3 steps, 3 criteria, low risk'],
    ['worktree_created', 'environment_keeper', 1, 'worktree .factory/worktrees/job_1, branch factory/job_1'],
    ['sandbox_created', 'environment_keeper', 1, 'bwrap'],
    ['dev_environment_starting', 'environment_keeper', 1, 'setup, then start'],
    ['dev_environment_ready', 'environment_keeper', 1, 'app, api, realtime ready'],
    ['implementation_in_progress', 'builder', 1, 'round 1'],
    ['tests_running', 'tester', 1, 'unit'],
    ['implementation_in_progress', 'builder', 1, `round 2: unit failed (password=${SECRET})`],
    ['tests_running', 'tester', 1, 'unit'],
    ['browser_validation_running', 'recorder', 1, 'feature scenario + 1 contract scenario'],
    ['video_recorded', 'recorder', 1, '2 scenarios passed'],
    ['pr_opened', 'publisher', 1, 'review.html'],
    ['review_running', 'reviewer', 1, 'codex'],
    ['ready_for_human_review', 'reviewer', 1, 'comment: 1 minor finding'],
  ] as const;
  const times = [0, 20, 22, 23, 23, 30, 31, 70, 75, 110, 112, 125, 126, 126, 150];
  const manifest: JobManifest = {
    schemaVersion: 1,
    id: 'job_1',
    title: 'Show the number of projects in the page header',
    request: `Show the number of projects in the page header.\n\nUse {{this}} and !\`rm -rf /\` literally. My key is ${SECRET}.`,
    repo: '/work/diffie',
    base: 'main',
    baseCommit: 'a'.repeat(40),
    branch: 'factory/job_1',
    head: 'b'.repeat(40),
    state: 'ready_for_human_review',
    stoppedAt: null,
    createdAt: at(0),
    updatedAt: at(150),
    roles: {
      planner: { agent: 'claude-code', model: 'sonnet' },
      builder: { agent: 'claude-code' },
      reviewer: { agent: 'codex' },
    },
    plan: {
      summary: 'Add a project count next to the title in the header, fed by the projects list already loaded.',
      steps: ['Render the count in Header', 'Add a unit test', 'Check it in the browser'],
      files: ['app/src/header.tsx'],
      acceptanceCriteria: [
        { id: 'AC1', text: 'The header shows "N projects"', proof: 'browser' },
        { id: 'AC2', text: 'Unit tests pass', proof: 'test' },
        { id: 'AC3', text: 'No new network request is made for the count', proof: 'review' },
      ],
      browserSteps: [
        { action: 'goto', url: '/' },
        { action: 'expect', visible: '#project-count' },
      ],
      risk: 'low',
      rollback: 'Revert the merge commit; no data changes.',
    },
    planUsage: usage,
    rounds: [
      {
        round: 1,
        reason: 'initial',
        build: {
          status: 'completed',
          attempts: 1,
          commits: [{ sha: 'c'.repeat(40), subject: 'Show the project count' }],
          usage,
          durationMs: 39_000,
          log: 'logs/build-1.log',
        },
        tests: {
          ok: false,
          runId: 'r1',
          suites: [{ name: 'unit', status: 'failed', reason: 'exit 1', junit: [] }],
          tail: `FAIL header.test.ts\n  expected "3 projects"\n  GITHUB_TOKEN=${GH_TOKEN}`,
          durationMs: 5000,
        },
      },
      {
        round: 2,
        reason: 'tests-failed',
        feedback: 'unit failed: expected "3 projects"',
        build: {
          status: 'completed',
          attempts: 1,
          commits: [{ sha: 'b'.repeat(40), subject: 'Fix the count' }],
          usage,
          durationMs: 35_000,
          log: 'logs/build-2.log',
        },
        tests: {
          ok: true,
          runId: 'r2',
          suites: [
            {
              name: 'unit',
              status: 'passed',
              reason: 'exit 0',
              tests: { tests: 4, passed: 4, failed: 0, skipped: 0 },
              log: 'tests/r2/unit.log',
              junit: ['tests/r2/unit.xml'],
            },
          ],
          durationMs: 2000,
        },
        validation: {
          ok: true,
          runId: 'v1',
          report: 'validation/report.html',
          manifest: 'validation/manifest.json',
          scenarios: [
            {
              name: 'feature: show the number of projects',
              feature: true,
              status: 'passed',
              durationMs: 3100,
              video: 'validation/feature/video.webm',
              poster: 'validation/feature/poster.png',
              screenshots: ['validation/feature/01-header.png'],
              consoleErrors: [],
            },
            {
              name: 'create project',
              feature: false,
              status: 'passed',
              durationMs: 4200,
              screenshots: [],
              consoleErrors: [],
            },
          ],
          durationMs: 12_000,
        },
        review: {
          verdict: {
            verdict: 'comment',
            summary: 'Small, focused change; the count reuses the loaded list.',
            findings: [
              {
                file: 'app/src/header.tsx',
                line: 6,
                severity: 'minor',
                message: `"1 projects" for one project; pluralise. (seen ${GH_TOKEN})`,
                suggestion: 'Use Intl.PluralRules.',
              },
            ],
            risks: ['The count lags until realtime delivers a new project.'],
            criteria: [{ id: 'AC3', met: true, note: 'the count is derived from the existing list' }],
          },
          agent: { agent: 'codex' },
          usage,
          attempts: 1,
          durationMs: 24_000,
          log: 'logs/review.log',
        },
      },
    ],
    maxFixRounds: 2,
    review: null,
    commits: [
      { sha: 'c'.repeat(40), subject: 'Show the project count' },
      { sha: 'b'.repeat(40), subject: 'Fix the count' },
    ],
    diff: {
      base: 'a'.repeat(40),
      head: 'b'.repeat(40),
      files: [
        { path: 'app/src/header.tsx', status: 'modified', additions: 3, deletions: 1, binary: false },
        { path: 'app/test/header.test.ts', status: 'added', additions: 3, deletions: 0, binary: false },
      ],
      patch: 'diff.patch',
      stat: ' 2 files changed, 6 insertions(+), 1 deletion(-)',
    },
    preview: {
      worktreeId: 'job_1',
      urls: { app: 'http://127.0.0.1:20410', api: 'http://127.0.0.1:20411' },
      up: true,
      expiresAt: at(3600),
    },
    approval: null,
    reviewRequest: null,
    usage: {
      total: { input: 4800, output: 1360, cacheRead: 20_000, cacheWrite: 0, costUsd: 0.0492 },
      byStage: { plan: usage, build: { ...usage, input: 2400 }, review: usage },
      byRound: [
        { round: 1, usage },
        { round: 2, usage },
      ],
    },
    timeline: states.map(([to, role, attempt, message], i) => ({
      id: i + 1,
      at: at(times[i] ?? 0),
      from: i === 0 ? null : (states[i - 1]?.[0] ?? null),
      to,
      role,
      attempt,
      round: i >= 8 ? 2 : i >= 6 ? 1 : 0,
      message,
      durationMs: ((times[i + 1] ?? 150) - (times[i] ?? 0)) * 1000,
      artifacts: to === 'tests_running' ? [{ label: 'unit log', path: 'tests/r2/unit.log' }] : [],
    })),
    failure: null,
    cleanup: null,
    artifacts: [],
    ...overrides,
  };
  manifest.review = manifest.rounds[1]?.review ?? null;
  writeFileSync(join(dir, 'job.json'), JSON.stringify(manifest, null, 2));
  return { dir, manifest };
}
