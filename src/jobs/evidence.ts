/**
 * The job folder, `<repo>/.factory/jobs/<id>/`, and its manifest `job.json` (ADR 14): every stage
 * leaves its files here (plan, logs, JUnit, validation runs, diff, verdict) and the manifest is
 * rebuilt from the store's job and events after every transition, so the folder is always a
 * complete, self-describing record — also of a job that failed or was cancelled. Paths in the
 * manifest are relative to the folder.
 */
import { cp, mkdir, readdir, rename, stat, writeFile } from 'node:fs/promises';
import { extname, join, relative } from 'node:path';
import { addUsage } from '../agent-loop/index.js';
import { SCHEMA_VERSION } from '../lib/output.js';
import { MANIFEST_FILE, type JobManifest, type JobUsage, type TimelineEntry } from '../publish/index.js';
import { isLive } from './states.js';
import type { Job, JobEvent } from './types.js';

export function evidenceDirOf(repo: string, jobId: string): string {
  return join(repo, '.factory', 'jobs', jobId);
}

export interface EvidenceDir {
  readonly dir: string;
  /** Absolute path of a file in the folder. */
  path(rel: string): string;
  /** Folder-relative path of an absolute one. */
  rel(abs: string): string;
  write(rel: string, content: string): Promise<string>;
  writeJson(rel: string, value: unknown): Promise<string>;
  /** Copies a file or directory into the folder (replacing what was there). */
  copyIn(from: string, rel: string): Promise<string>;
  roundDir(round: number): string;
}

export function evidenceDir(repo: string, jobId: string): EvidenceDir {
  const dir = evidenceDirOf(repo, jobId);
  const path = (rel: string) => join(dir, rel);
  const write = async (rel: string, content: string) => {
    const abs = path(rel);
    await mkdir(join(abs, '..'), { recursive: true });
    // Write then rename: a reader (the review page, a crash) never sees half a file.
    const tmp = `${abs}.${process.pid}.tmp`;
    await writeFile(tmp, content);
    await rename(tmp, abs);
    return rel;
  };
  return {
    dir,
    path,
    rel: (abs) => relative(dir, abs),
    write,
    writeJson: (rel, value) => write(rel, `${JSON.stringify(value, null, 2)}\n`),
    async copyIn(from, rel) {
      const abs = path(rel);
      await mkdir(join(abs, '..'), { recursive: true });
      await cp(from, abs, { recursive: true, force: true });
      return rel;
    },
    roundDir: (round) => `rounds/${round}`,
  };
}

function usageOf(job: Job): JobManifest['usage'] {
  const byStage: Record<string, JobUsage> = {};
  const add = (stage: string, u: JobUsage | undefined) => {
    const sum = addUsage(byStage[stage], u);
    if (sum) byStage[stage] = sum;
  };
  add('plan', job.data.planUsage);
  const byRound = job.data.rounds.map((r) => {
    add('build', r.build?.usage);
    add('review', r.review?.usage);
    return { round: r.round, usage: addUsage(r.build?.usage, r.review?.usage) ?? {} };
  });
  const total = Object.values(byStage).reduce<JobUsage | undefined>((t, u) => addUsage(t, u), undefined) ?? {};
  return { total, byStage, byRound };
}

/** The intake's record of where the request came from (a chat message), if one made the job. */
function requestedVia(events: JobEvent[]): { requestedVia?: string } {
  const e = events.find((x) => x.type === 'control' && x.action === 'requested');
  return e ? { requestedVia: e.message } : {};
}

function timelineOf(job: Job, events: JobEvent[], now: Date): TimelineEntry[] {
  const transitions = events.filter((e): e is Extract<JobEvent, { type: 'transition' }> => e.type === 'transition');
  return transitions.map((e, i) => {
    const next = transitions[i + 1];
    const end = next ? Date.parse(next.at) : isLive(job.state) ? now.getTime() : Date.parse(e.at);
    return {
      id: e.id,
      at: e.at,
      from: e.from,
      to: e.to,
      role: e.role,
      attempt: e.attempt,
      round: e.round,
      message: e.message,
      durationMs: Math.max(0, end - Date.parse(e.at)),
      artifacts: e.artifacts,
    };
  });
}

const KINDS: Record<string, JobManifest['artifacts'][number]['kind']> = {
  '.log': 'log',
  '.xml': 'junit',
  '.webm': 'video',
  '.mp4': 'video',
  '.png': 'screenshot',
  '.jpg': 'screenshot',
  '.html': 'report',
  '.patch': 'diff',
  '.zip': 'other',
};

function kindOf(rel: string): JobManifest['artifacts'][number]['kind'] {
  if (rel === 'plan.json') return 'plan';
  if (rel.endsWith('verdict.json')) return 'verdict';
  if (rel.endsWith('manifest.json') || rel.endsWith('summary.json')) return 'manifest';
  if (rel === 'review.html' || rel === 'review.md') return 'page';
  if (rel.endsWith('poster.png')) return 'poster';
  return KINDS[extname(rel)] ?? 'other';
}

async function listArtifacts(dir: string): Promise<JobManifest['artifacts']> {
  const out: JobManifest['artifacts'] = [];
  const walk = async (d: string) => {
    let entries: import('node:fs').Dirent[];
    try {
      entries = await readdir(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const abs = join(d, e.name);
      if (e.isDirectory()) await walk(abs);
      else if (e.isFile() && !e.name.endsWith('.tmp')) {
        const rel = relative(dir, abs);
        if (rel === MANIFEST_FILE) continue;
        out.push({ path: rel, kind: kindOf(rel), bytes: (await stat(abs)).size });
      }
    }
  };
  await walk(dir);
  return out.sort((a, b) => a.path.localeCompare(b.path));
}

export interface ManifestFacts {
  /** The preview instance is running now. */
  previewUp: boolean;
  now?: Date;
}

export async function buildManifest(job: Job, events: JobEvent[], facts: ManifestFacts): Promise<JobManifest> {
  const now = facts.now ?? new Date();
  const d = job.data;
  const latestReview = [...d.rounds].reverse().find((r) => r.review)?.review ?? null;
  const role = (r: 'planner' | 'builder' | 'reviewer') => ({
    agent: job.config.roles[r].agent,
    ...(job.config.roles[r].model ? { model: job.config.roles[r].model } : {}),
  });
  return {
    schemaVersion: SCHEMA_VERSION,
    id: job.id,
    title: job.title,
    request: job.request,
    ...requestedVia(events),
    repo: job.repo,
    base: job.config.base,
    baseCommit: d.worktree?.baseCommit ?? null,
    branch: d.worktree?.branch ?? `factory/${job.id}`,
    head: d.diff?.head ?? null,
    state: job.state,
    stoppedAt: job.stoppedAt,
    createdAt: job.createdAt,
    updatedAt: job.updatedAt,
    roles: { planner: role('planner'), builder: role('builder'), reviewer: role('reviewer') },
    plan: d.plan ?? null,
    planUsage: d.planUsage ?? null,
    rounds: d.rounds,
    maxFixRounds: job.config.maxFixRounds,
    review: latestReview,
    commits: d.commits ?? [],
    diff: d.diff ?? null,
    preview: d.environment
      ? {
          worktreeId: d.environment.worktreeId,
          urls: d.environment.urls,
          up: facts.previewUp,
          expiresAt: d.previewExpiresAt ?? null,
        }
      : null,
    approval:
      job.config.approvalPaths.length > 0
        ? {
            paths: job.config.approvalPaths,
            matched: d.approval?.matched ?? [],
            approvedAt: d.approval?.approvedAt ?? null,
            approvedBy: d.approval?.approvedBy ?? null,
          }
        : null,
    reviewRequest: d.reviewRequest ?? null,
    usage: usageOf(job),
    timeline: timelineOf(job, events, now),
    failure: d.failure ?? null,
    cleanup: d.cleanup ?? null,
    artifacts: await listArtifacts(evidenceDirOf(job.repo, job.id)),
  };
}

/** Rebuilds job.json from the store's view of the job. */
export async function writeManifest(job: Job, events: JobEvent[], facts: ManifestFacts): Promise<JobManifest> {
  const manifest = await buildManifest(job, events, facts);
  await evidenceDir(job.repo, job.id).writeJson(MANIFEST_FILE, manifest);
  return manifest;
}
