/**
 * `factory worker [--store postgres://…] [--repo-url URL] [--concurrency N] [--max-per-repo N]
 * [--max-per-machine N] [--lease 30s] [--port-range N] [--repo PATH] [--publisher local|github]
 * [--remote NAME] [--until-idle] [--json]`: run queued jobs until stopped, and every few minutes sync
 * the pull requests of jobs ready for review (job sync) (Ctrl-C / SIGTERM: the jobs it holds are
 * released where they are, and the next worker resumes them). With `--repo-url` it is a worker for a
 * shared remote, on any machine (docs/scale.md): its own clone, the job branches pushed back. Prints
 * one line per event of the jobs it runs (--json: one schema/job-event per line). Exit 0 when stopped.
 */
import { resolve } from 'node:path';
import { defineCommand } from 'citty';
import {
  eventJson,
  followEvents,
  JOB_DEFAULTS,
  normalizeRemote,
  openJobStore,
  startWorker,
  type JobEvent,
} from '../jobs/index.js';
import { ExitCode, FactoryFailure } from '../lib/failure.js';
import { onInterrupt } from '../lib/interrupt.js';
import { colors, eprintln, println } from '../lib/output.js';
import { githubPublisher, localPublisher, type Publisher } from '../publish/index.js';
import { parseDuration } from './agent-prd.js';
import { store } from './ui/job-cli.js';
import { eventLine, storeOutageLine } from './ui/job-render.js';

function count(v: string | undefined, flag: string, fallback: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1)
    throw new FactoryFailure('usage', `--${flag} must be a positive integer (got "${v}")`, {
      exitCode: ExitCode.invalid,
    });
  return n;
}

function publisherOf(name: string | undefined, remote: string | undefined): Publisher {
  if (name === 'github') return githubPublisher({ ...(remote ? { remote } : {}) });
  if (remote !== undefined)
    throw new FactoryFailure('usage', '--remote goes with --publisher github', {
      exitCode: ExitCode.invalid,
      hint: 'add --publisher github, or drop --remote',
    });
  return localPublisher();
}

export default defineCommand({
  meta: { name: 'worker', description: 'Run queued jobs until stopped.' },
  args: {
    concurrency: { type: 'string', description: 'Jobs this worker runs at once (default 1)' },
    'max-per-repo': {
      type: 'string',
      description: `Jobs of one repository at once on this machine (default ${JOB_DEFAULTS.maxPerRepo})`,
    },
    'max-per-machine': {
      type: 'string',
      description: `Jobs at once on this machine (default ${JOB_DEFAULTS.maxPerMachine})`,
    },
    lease: {
      type: 'string',
      description: `Lease on a job, renewed by heartbeats (default ${JOB_DEFAULTS.leaseMs / 1000}s)`,
    },
    repo: { type: 'string', description: 'Only jobs of this repository' },
    publisher: {
      type: 'string',
      description: 'For jobs that did not choose: local (review page, default) or github (pull request)',
    },
    remote: { type: 'string', description: 'With --publisher github: the git remote to push to (default origin)' },
    store: {
      type: 'string',
      description: 'The job store: a postgres:// URL (shared by workers on many machines) or a SQLite file',
    },
    'repo-url': {
      type: 'string',
      description: "Run the jobs of this git remote in this worker's own clone, and push their branches there",
    },
    'port-range': { type: 'string', description: "Where this worker's job instances lease ports (with --repo-url)" },
    'until-idle': { type: 'boolean', description: 'Stop when nothing is left to run' },
    json: { type: 'boolean', description: 'One JSON event per line on stdout (schema/job-event.schema.json)' },
  },
  async run({ args }) {
    if (args['port-range'] && !args['repo-url']) {
      throw new FactoryFailure('usage', '--port-range is for a worker with --repo-url', {
        exitCode: ExitCode.invalid,
        hint: 'give the job its range instead: factory job new … --port-range 20000',
      });
    }
    const s = args.store ? openJobStore(process.env, args.store) : store();
    if (args['repo-url'] && s.backend !== 'postgres') {
      await s.close();
      throw new FactoryFailure('usage', '--repo-url needs the shared job store (PostgreSQL)', {
        exitCode: ExitCode.invalid,
        hint: 'factory worker --store postgres://user@host/db --repo-url <git remote> (or set FACTORY_JOBS_DATABASE_URL)',
      });
    }
    const stop = new AbortController();
    const off = onInterrupt(() => stop.abort());
    const following = new AbortController();
    const mine = new Set<string>();
    try {
      const start = await s.lastEventId();
      const worker = startWorker({
        store: s,
        publisher: publisherOf(args.publisher, args.remote),
        concurrency: count(args.concurrency, 'concurrency', 1),
        maxPerRepo: count(args['max-per-repo'], 'max-per-repo', JOB_DEFAULTS.maxPerRepo),
        maxPerMachine: count(args['max-per-machine'], 'max-per-machine', JOB_DEFAULTS.maxPerMachine),
        leaseMs: args.lease ? parseDuration(args.lease, 'lease') : JOB_DEFAULTS.leaseMs,
        ...(args.repo ? { repo: resolve(args.repo) } : {}),
        ...(args['repo-url'] ? { repoUrl: normalizeRemote(args['repo-url']) } : {}),
        ...(args['port-range'] ? { portRange: Number(args['port-range']) } : {}),
        untilIdle: args['until-idle'] === true,
        signal: stop.signal,
        onClaim: (job) => mine.add(job.id),
        // On stderr also with --json (stdout is the events): a person or a log collector sees it.
        onStoreOutage: (error, retryInMs) => eprintln(storeOutageLine(s.location, error, retryInMs)),
      });
      if (!args.json)
        eprintln(colors.dim(`worker ${worker.id} (pid ${process.pid}) waiting for jobs; store ${s.location}`));
      let last = start;
      const print = (e: JobEvent) => {
        last = e.id;
        // The claim's own event may be read before onClaim ran: it names the worker.
        if (e.type === 'control' && e.action === 'claimed' && e.message.startsWith(`worker ${worker.id} `))
          mine.add(e.jobId);
        if (!mine.has(e.jobId)) return;
        if (args.json) println(JSON.stringify(eventJson(e)));
        else eprintln(eventLine(e, true));
      };
      const printing = (async () => {
        for await (const e of followEvents(s, { afterId: start, signal: following.signal })) print(e);
      })();
      await worker.done;
      following.abort();
      await printing;
      // What the jobs wrote after the subscriber's last read.
      for (const e of await s.events({ afterId: last, limit: 100_000 })) print(e);
      return 0;
    } finally {
      off();
      await s.close();
    }
  },
});
