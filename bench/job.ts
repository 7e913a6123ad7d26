/**
 * Job benchmark: one request on a copy of examples/diffie ("Show the number of projects in the
 * page header"), the fake agent as `claude` in every role (bwrap), through the real binary
 * (`factory job run`). Measures the time from `job run` to the builder's first output and to
 * `ready_for_human_review`, and the factory's overhead: the whole minus the stages' own work as the
 * job records it (planning, environment start, the builder's run, the test suites, the browser
 * validation, the reviewer's run). The first job of the copy runs its setup cold (npm ci, PostgreSQL
 * template) and is a warm-up; the medians are of BENCH_JOB_RUNS (default 3) jobs after it.
 *
 * Run by bench/run.ts through `benchJob()`, or alone: `npx tsx bench/job.ts`.
 */
import { spawn } from 'node:child_process';
import { FACTORY_BIN } from '../test/helpers/cli.js';
import { approve, countSteps, diffieRig, plan, request, showCount, type Rig } from '../test/jobs/harness.js';
import type { Row } from './agent-first-output.js';

const RUNS = Number(process.env.BENCH_JOB_RUNS ?? 3);

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

interface Sample {
  firstBuilderMs: number;
  readyMs: number;
  workMs: number;
  jobId: string;
  /** Time in each state, summed over rounds. */
  states: Record<string, number>;
}

function jobRun(rig: Rig, text: string, port: number): Promise<Sample> {
  const { repo, env } = rig;
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let first = 0;
    let err = '';
    let out = '';
    const c = spawn(process.execPath, [FACTORY_BIN, 'job', 'run', text, '--port-range', String(port)], {
      cwd: repo,
      env: { ...process.env, NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    c.stderr.on('data', (d: Buffer) => {
      err += d;
      if (!first && /\bbuilder: /.test(err)) first = performance.now() - t0;
    });
    c.stdout.on('data', (d: Buffer) => (out += d));
    c.on('close', (code) => {
      const readyMs = performance.now() - t0;
      if (code !== 0) return reject(new Error(`job run exited ${code}:\n${err}`));
      const id = /^(job-[0-9a-f-]+):/m.exec(out)?.[1];
      if (!id) return reject(new Error(`no job id in:\n${out}`));
      const m = rig.manifest(id);
      const states: Record<string, number> = {};
      for (const t of m.timeline) states[t.to] = (states[t.to] ?? 0) + t.durationMs;
      const inState = (s: string) => m.timeline.filter((t) => t.to === s).reduce((a, t) => a + t.durationMs, 0);
      const work =
        inState('received') + // the planner's run
        inState('dev_environment_starting') + // setup and the instance's start
        m.rounds.reduce(
          (a, r) =>
            a +
            (r.build?.durationMs ?? 0) +
            (r.tests?.durationMs ?? 0) +
            (r.validation?.durationMs ?? 0) +
            (r.review?.durationMs ?? 0),
          0,
        );
      resolve({ firstBuilderMs: first, readyMs, workMs: work, jobId: m.id, states });
    });
  });
}

export async function benchJob(): Promise<Row[]> {
  const rig = diffieRig();
  try {
    const text = request('Show the number of projects in the page header', {
      planner: plan(countSteps),
      builder: showCount,
      reviewer: approve(),
    });
    const port = 24_000;
    const warm = await jobRun(rig, text, port);
    await rig.factory(['job', 'close', warm.jobId]);
    const samples: Sample[] = [];
    for (let i = 0; i < RUNS; i++) {
      const s = await jobRun(rig, text, port);
      samples.push(s);
      await rig.factory(['job', 'close', s.jobId]);
    }
    const note = `median of ${RUNS}, fake agent in bwrap, diffie (unit + api suites, 2 scenarios with video)`;
    return [
      { name: 'job run → first builder output', value: median(samples.map((s) => s.firstBuilderMs)), unit: 'ms', note },
      { name: 'job run → ready_for_human_review', value: median(samples.map((s) => s.readyMs)), unit: 'ms', note },
      {
        name: "the stages' own work (plan, environment, build, tests, validation, review)",
        value: median(samples.map((s) => s.workMs)),
        unit: 'ms',
        note,
      },
      {
        name: 'factory overhead (the rest)',
        value: median(samples.map((s) => s.readyMs - s.workMs)),
        unit: 'ms',
        note,
      },
      {
        name: 'first job of a fresh copy (cold setup: npm ci, PostgreSQL template)',
        value: warm.readyMs,
        unit: 'ms',
        note: 'one run',
      },
      ...Object.keys(samples[0]?.states ?? {}).map((state) => ({
        name: `time in ${state}`,
        value: median(samples.map((x) => x.states[state] ?? 0)),
        unit: 'ms' as const,
        note: 'median',
      })),
    ];
  } finally {
    await rig.dispose();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const r of await benchJob())
    console.log(`${r.name}: ${(r.value / 1000).toFixed(2)} s${r.note ? ` (${r.note})` : ''}`);
}
