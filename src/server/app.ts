/**
 * The routes (docs/dashboard.md). Pages: `/` jobs, `/jobs/<id>` a job, `/jobs/<id>/<path>` its files
 * (review.html at a stable URL), `/instances`. API: `/api/jobs`, `/api/jobs/<id>`,
 * `/api/jobs/<id>/events` and `/api/events` (SSE), `/api/instances`, `/api/health`; actions are
 * POSTs (a form's answer is a redirect back to the page, the API's is JSON). Every request passes the
 * guard (./guard.ts) first.
 */
import { readFileSync, statSync } from 'node:fs';
import type { HttpBindings } from '@hono/node-server';
import { Hono, type Context } from 'hono';
import { evidenceDirOf, JOB_STATES, type JobState, type JobStore } from '../jobs/index.js';
import { ExitCode, FactoryFailure } from '../lib/failure.js';
import { SCHEMA_VERSION } from '../lib/output.js';
import type { Redactor } from '../publish/index.js';
import { actOnJob, isJobAction, stopListedInstance } from './actions.js';
import { fileResponse, resolveInside } from './artifacts.js';
import { errorBody, notFound } from './errors.js';
import { guard, login, type GuardConfig } from './guard.js';
import { type EventHub, RING_SIZE } from './hub.js';
import { DASHBOARD_JS } from './pages/client.js';
import { instancesPage } from './pages/instances.js';
import { jobPage } from './pages/job.js';
import { jobsPage } from './pages/jobs.js';
import { errorPage } from './pages/layout.js';
import { eventStream } from './sse.js';
import { dashboardJob, instances, jobById, jobManifest, listJobs, type JobQuery, type ViewContext } from './views.js';

type Env = { Bindings: HttpBindings };

export interface AppDeps {
  store: JobStore;
  hub: EventHub;
  redact: Redactor;
  env: NodeJS.ProcessEnv;
  guard: GuardConfig;
  base: string;
}

/** A patch larger than this is linked, not inlined (as the review page does). */
const MAX_INLINE_PATCH_BYTES = 2 * 1024 * 1024;
const LIVE: JobState[] = JOB_STATES.filter((s) => !['merged', 'closed', 'failed', 'cancelled'].includes(s));

function query(c: Context): JobQuery & { state: JobState | 'live' | undefined } {
  const state = c.req.query('state') || undefined;
  if (state !== undefined && state !== 'live' && !(JOB_STATES as readonly string[]).includes(state))
    throw new FactoryFailure('usage', `state expects live or a job state, got "${state}"`, {
      exitCode: ExitCode.invalid,
      hint: `one of live, ${JOB_STATES.join(', ')}`,
    });
  const limitRaw = c.req.query('limit') ?? '200';
  const limit = /^\d{1,4}$/.test(limitRaw) ? Math.min(Math.max(Number(limitRaw), 1), 1000) : 200;
  const s = state as JobState | 'live' | undefined;
  return {
    state: s,
    states: s === undefined ? [] : s === 'live' ? LIVE : [s],
    repo: c.req.query('repo') || undefined,
    limit,
  };
}

/** The still-encoded path after `/jobs/<id>/`, from the request line as sent. */
function rawRest(c: Context<Env>, id: string): string {
  const raw = (c.env?.incoming?.url ?? new URL(c.req.url).pathname).split('?')[0] ?? '';
  const prefix = `/jobs/${id}/`;
  return raw.startsWith(prefix) ? raw.slice(prefix.length) : '';
}

function readPatch(dir: string, rel: string | undefined, redact: Redactor): string | null {
  const path = rel ? resolveInside(dir, rel) : null;
  if (!path) return null;
  if (statSync(path).size > MAX_INLINE_PATCH_BYTES) return `# the patch is too large to show here; open ${rel}\n`;
  return redact(readFileSync(path, 'utf8'));
}

const isApi = (c: Context) => c.req.path.startsWith('/api/');

export function buildApp(d: AppDeps): Hono<Env> {
  const v: ViewContext = { store: d.store, redact: d.redact, base: d.base, env: d.env };
  const app = new Hono<Env>();
  const json = (c: Context, body: Record<string, unknown>, status = 200) =>
    c.json({ schemaVersion: SCHEMA_VERSION, ...body }, status as 200);

  app.onError((error, c) => {
    const { status, body } = errorBody(error);
    if (status === 500)
      process.stderr.write(
        `factory serve: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
    if (isApi(c) || !(c.req.header('accept') ?? '').includes('text/html')) return c.json(body, status);
    return c.html(errorPage(status, body.error.message, body.error.hint), status);
  });
  app.notFound((c) => {
    const { status, body } = errorBody(notFound());
    return isApi(c) ? c.json(body, status) : c.html(errorPage(status, body.error.message, body.error.hint), status);
  });
  app.use('*', async (c, next) => {
    await next();
    c.header('x-frame-options', 'DENY');
    c.header('referrer-policy', 'same-origin');
    if (!c.res.headers.has('content-security-policy'))
      c.header(
        'content-security-policy',
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; media-src 'self'; frame-ancestors 'none'; form-action 'self'",
      );
  });
  app.use('*', guard(d.guard));
  app.get('/login', (c) => login(d.guard, c));
  app.get('/assets/dashboard.js', (c) =>
    c.body(DASHBOARD_JS, 200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-cache' }),
  );

  // ── pages ──
  app.get('/', async (c) => {
    const q = query(c);
    const { jobs, repos } = await listJobs(v, q);
    return c.html(jobsPage({ jobs, repos, state: q.state, repo: q.repo }));
  });
  app.get('/instances', async (c) => {
    const ids = new Set((await d.store.list({ limit: 10_000 })).map((j) => j.id));
    return c.html(instancesPage(instances(v, ids)));
  });
  app.post('/instances/stop', async (c) => {
    const form = await c.req.parseBody();
    await stopListedInstance(d.env, String(form.root ?? ''), String(form.id ?? ''));
    return c.redirect('/instances', 303);
  });
  app.get('/jobs/:id', async (c) => {
    const job = await jobById(v, c.req.param('id'), true);
    const manifest = await jobManifest(v, job);
    const events = await d.store.events({ jobId: job.id, limit: 100_000 });
    const lastTransition = events.findLastIndex((e) => e.type === 'transition');
    const recent = events.slice(Math.max(lastTransition, events.length - 300, 0)).map((e) => d.redact.deep(e));
    const patch = readPatch(evidenceDirOf(job.repo, job.id), manifest.diff?.patch, d.redact);
    return c.html(jobPage({ job: dashboardJob(v, job), manifest, patch, recent, lastEventId: events.at(-1)?.id ?? 0 }));
  });
  app.get('/jobs/:id/', (c) => c.redirect(`/jobs/${encodeURIComponent(c.req.param('id'))}`, 301));
  app.get('/jobs/:id/*', async (c) => {
    const job = await jobById(v, c.req.param('id'), true);
    return fileResponse(evidenceDirOf(job.repo, job.id), rawRest(c, job.id), d.redact, c.req.header('range'));
  });
  app.post('/jobs/:id/:action', async (c) => {
    const action = c.req.param('action');
    if (!isJobAction(action)) throw notFound(`no action ${action}`);
    const job = await jobById(v, c.req.param('id'), true);
    await actOnJob(d, job.id, action);
    return c.redirect(`/jobs/${job.id}`, 303);
  });

  // ── API ──
  app.get('/api/health', (c) =>
    json(c, {
      ok: true,
      clients: d.hub.size,
      buffered: d.hub.buffered,
      maxBuffered: RING_SIZE,
      lastEventId: d.hub.lastEventId,
      rssBytes: process.memoryUsage.rss(),
    }),
  );
  app.get('/api/jobs', async (c) => json(c, { jobs: (await listJobs(v, query(c))).jobs }));
  app.get('/api/events', (c) => eventStream(c, d, undefined));
  app.get('/api/jobs/:id', async (c) => {
    const job = await jobById(v, c.req.param('id'), false);
    return json(c, { job: dashboardJob(v, job), manifest: await jobManifest(v, job) });
  });
  app.get('/api/jobs/:id/events', async (c) => {
    const job = await jobById(v, c.req.param('id'), false);
    return eventStream(c, d, job.id);
  });
  app.post('/api/jobs/:id/:action', async (c) => {
    const action = c.req.param('action');
    if (!isJobAction(action)) throw notFound(`no action ${action}`);
    const r = await actOnJob(d, c.req.param('id'), action);
    return json(c, {
      ok: true,
      action,
      job: dashboardJob(v, r.job),
      instance: null,
      ...(r.immediate !== undefined ? { immediate: r.immediate } : {}),
    });
  });
  app.get('/api/instances', async (c) => {
    const ids = new Set((await d.store.list({ limit: 10_000 })).map((j) => j.id));
    return json(c, { instances: instances(v, ids) });
  });
  app.post('/api/instances/:id/stop', async (c) => {
    const body = (await c.req.json().catch(() => ({}))) as { root?: unknown };
    if (typeof body.root !== 'string')
      throw new FactoryFailure('usage', 'the body must be {"root": "<repository path>"}', {
        exitCode: ExitCode.invalid,
      });
    const instance = await stopListedInstance(d.env, body.root, c.req.param('id'));
    return json(c, { ok: true, action: 'stop', job: null, instance });
  });
  return app;
}
