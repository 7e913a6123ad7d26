/**
 * What the pages and the API show, read from the library and redacted once, here: jobs from the
 * store (with the links a person follows), a job's manifest as of now, and the machine's instances
 * as `factory ps` sees them (read only: the dashboard never reclaims or prunes on a GET).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  currentManifest,
  evidenceDirOf,
  findJob,
  isLive,
  summarize,
  type Job,
  type JobManifest,
  type JobState,
  type JobStore,
} from '../jobs/index.js';
import { REVIEW_PAGE_FILE, type Redactor } from '../publish/index.js';
import { listInstances, readStateFile, statusFromState } from '../services/index.js';
import { notFound } from './errors.js';
import type { DashboardInstance, DashboardJob } from './schema.js';

export interface ViewContext {
  store: JobStore;
  redact: Redactor;
  /** `/`, or the public URL (ending in /) when one is set. */
  base: string;
  env: NodeJS.ProcessEnv;
}

const EXCERPT_CHARS = 160;

/** The request after its first line (the title shows that one), on one line, shortened. */
export function excerpt(text: string): string {
  const rest = text.trim().split('\n').slice(1).join(' ').trim();
  const flat = (rest || text).replace(/\s+/g, ' ').trim();
  return flat.length > EXCERPT_CHARS ? `${flat.slice(0, EXCERPT_CHARS - 1)}…` : flat;
}

export function durationOf(job: Pick<Job, 'state' | 'createdAt' | 'updatedAt'>, now = Date.now()): number {
  const end = isLive(job.state) && job.state !== 'ready_for_human_review' ? now : Date.parse(job.updatedAt);
  return Math.max(0, end - Date.parse(job.createdAt));
}

export function dashboardJob(v: ViewContext, job: Job): DashboardJob {
  const review = existsSync(join(evidenceDirOf(job.repo, job.id), REVIEW_PAGE_FILE));
  const s = v.redact.deep(summarize(job));
  return {
    ...s,
    excerpt: v.redact(excerpt(job.request)),
    durationMs: durationOf(job),
    links: {
      page: `${v.base}jobs/${job.id}`,
      reviewPage: review ? `${v.base}jobs/${job.id}/${REVIEW_PAGE_FILE}` : null,
      events: `${v.base}api/jobs/${job.id}/events`,
    },
  };
}

export interface JobQuery {
  states: JobState[];
  repo: string | undefined;
  limit: number;
}

export async function listJobs(v: ViewContext, q: JobQuery): Promise<{ jobs: DashboardJob[]; repos: string[] }> {
  const jobs = await v.store.list({
    ...(q.states.length ? { states: q.states } : {}),
    ...(q.repo ? { repo: q.repo } : {}),
    limit: q.limit,
  });
  // The repository filter offers every repository the store knows, not only the filtered ones.
  const repos = [...new Set((await v.store.list({ limit: 1_000 })).map((j) => j.repo))].sort();
  return { jobs: jobs.map((j) => dashboardJob(v, j)), repos };
}

/** A job by its exact id (URLs), or a unique part of one (the API, as the CLI). */
export async function jobById(v: ViewContext, id: string, exact: boolean): Promise<Job> {
  if (exact) {
    const job = await v.store.get(id);
    if (!job) throw notFound(`no job ${id}`);
    return job;
  }
  return findJob(v.store, id);
}

export async function jobManifest(v: ViewContext, job: Job): Promise<JobManifest> {
  return v.redact.deep(await currentManifest(v.store, job));
}

export function instances(v: ViewContext, jobIds: Set<string>): DashboardInstance[] {
  return listInstances(v.env).map((i) => {
    const state = i.stateDir ? readStateFile(i.stateDir) : undefined;
    const status =
      i.stateDir && i.root && i.worktreeId
        ? statusFromState(
            { worktreeId: i.worktreeId, root: i.root, stateDir: i.stateDir, file: join(i.root, 'factory.yaml') },
            state,
            v.env,
          )
        : undefined;
    return v.redact.deep({
      ...i,
      healthy: status?.healthy ?? false,
      services: status?.services ?? [],
      jobId: i.worktreeId && jobIds.has(i.worktreeId) ? i.worktreeId : null,
    });
  });
}
