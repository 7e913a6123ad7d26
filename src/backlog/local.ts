/**
 * The `local` backlog: PRDs and tasks as Markdown files with YAML front matter, tracked in the
 * repository (docs/adr/0060-local-backlog-in-tracked-prds-folder.md says why not `.factory/`).
 *
 *   prds/                                  (--backlog-dir / FACTORY_BACKLOG_DIR)
 *     3-checkout/                          <N>-<slug>: N is the PRD number
 *       prd.md                             title?, status: draft|ready|done, review? (written)
 *       review.md                          the review request, written when the walk finishes
 *       tasks/
 *         01-cart-model.md                 kind: afk|hitl, status: open|done, blocked_by: [1, "prd-2/03"]
 *
 * Task ids are `prd-<N>/<NN>` (`Refs #prd-3/01` on the ledger commit): not a bare number, so a repo
 * later pushed to GitHub does not auto-link them to unrelated issues.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { ExitCode, FactoryFailure } from '../lib/failure.js';
import { firstHeading, invalid, keyLine, parseFrontMatter, renderFrontMatter } from './front-matter.js';
import type {
  BacklogSource,
  Prd,
  PrdState,
  ReviewRecord,
  ReviewRequest,
  Task,
  TaskFailure,
  TaskKind,
  TaskState,
} from './types.js';

export const DEFAULT_BACKLOG_DIR = 'prds';

export interface LocalBacklogOptions {
  /** Repository root (the main checkout); relative paths in messages are from here. */
  root: string;
  /** Backlog folder, relative to `root` or absolute. */
  dir?: string;
}

const NUMBERED = /^(\d+)-(.+?)(?:\.md)?$/;
const PRD_STATES: readonly PrdState[] = ['draft', 'ready', 'done'];

export function localTaskId(prd: number, position: number): string {
  return `prd-${prd}/${String(position).padStart(2, '0')}`;
}

export class LocalBacklog implements BacklogSource {
  readonly kind = 'local' as const;
  readonly root: string;
  readonly dir: string;

  constructor(options: LocalBacklogOptions) {
    this.root = options.root;
    this.dir = join(options.root, options.dir ?? DEFAULT_BACKLOG_DIR).replace(/\/$/, '');
  }

  private rel(path: string): string {
    return relative(this.root, path) || '.';
  }

  private async prdDirs(): Promise<Map<number, string>> {
    const found = new Map<number, string>();
    if (!existsSync(this.dir)) return found;
    for (const entry of await readdir(this.dir, { withFileTypes: true })) {
      const m = NUMBERED.exec(entry.name);
      if (!entry.isDirectory() || !m) continue;
      const n = Number(m[1]);
      const other = found.get(n);
      if (other) {
        throw new FactoryFailure(
          'invalid-backlog',
          `two PRD folders have the number ${n}: ${this.rel(other)} and ${this.rel(join(this.dir, entry.name))}`,
          {
            exitCode: ExitCode.invalid,
            hint: 'renumber one of them',
          },
        );
      }
      found.set(n, join(this.dir, entry.name));
    }
    return found;
  }

  async listPrds(): Promise<Prd[]> {
    const dirs = [...(await this.prdDirs()).entries()].sort((a, b) => a[0] - b[0]);
    return Promise.all(dirs.map(([n, dir]) => this.readPrd(n, dir)));
  }

  async getPrd(number: number): Promise<Prd> {
    const dir = (await this.prdDirs()).get(number);
    if (!dir) {
      throw new FactoryFailure('prd-not-found', `no PRD ${number} in ${this.rel(this.dir)}/`, {
        exitCode: ExitCode.invalid,
        hint: `create ${this.rel(this.dir)}/${number}-<slug>/prd.md (see docs/prd.md)`,
      });
    }
    return this.readPrd(number, dir);
  }

  private async readPrd(number: number, dir: string): Promise<Prd> {
    const file = join(dir, 'prd.md');
    if (!existsSync(file)) throw invalid(this.rel(file), 1, 'a PRD folder needs a prd.md');
    const text = await readFile(file, 'utf8');
    const fm = parseFrontMatter(text, this.rel(file));
    const status = fm.doc.get('status') ?? 'draft';
    if (typeof status !== 'string' || !PRD_STATES.includes(status as PrdState)) {
      throw invalid(
        this.rel(file),
        keyLine(fm, 'status', text),
        `status must be one of ${PRD_STATES.join(', ')} (got ${JSON.stringify(status)})`,
      );
    }
    const review = fm.doc.get('review', true) as { toJSON(): unknown } | undefined;
    const slug = NUMBERED.exec(dir.split('/').pop() ?? '')?.[2] ?? String(number);
    const title = fm.doc.get('title');
    const prd: Prd = {
      number,
      title: typeof title === 'string' ? title : (firstHeading(fm.body) ?? slug),
      body: fm.body,
      state: status as PrdState,
      ref: `prd-${number}`,
      location: this.rel(file),
    };
    const r = review?.toJSON() as Partial<Record<string, string>> | undefined;
    if (r?.location && r.branch) {
      prd.review = {
        kind: 'review-request',
        location: r.location,
        branch: r.branch,
        openedAt: r.opened_at ?? '',
      };
    }
    return prd;
  }

  async listTasks(prd: Prd): Promise<Task[]> {
    const dir = join(this.root, prd.location, '..', 'tasks');
    if (!existsSync(dir)) return [];
    const files = (await readdir(dir)).filter((f) => f.endsWith('.md'));
    const tasks: Task[] = [];
    const seen = new Map<number, string>();
    for (const name of files) {
      const m = NUMBERED.exec(name);
      const file = join(dir, name);
      if (!m) throw invalid(this.rel(file), 1, 'task files are named <NN>-<slug>.md (NN gives the order)');
      const position = Number(m[1]);
      if (seen.has(position))
        throw invalid(this.rel(file), 1, `two tasks have the number ${position}: ${seen.get(position)} and ${name}`);
      seen.set(position, name);
      tasks.push(await this.readTask(prd, position, m[2] ?? name, file));
    }
    return tasks.sort((a, b) => a.position - b.position);
  }

  private async readTask(prd: Prd, position: number, slug: string, file: string): Promise<Task> {
    const text = await readFile(file, 'utf8');
    const where = this.rel(file);
    const fm = parseFrontMatter(text, where);
    const kind = fm.doc.get('kind');
    if (kind !== 'afk' && kind !== 'hitl') {
      throw invalid(where, keyLine(fm, 'kind', text), `kind must be afk or hitl (got ${JSON.stringify(kind ?? null)})`);
    }
    const status = fm.doc.get('status') ?? 'open';
    if (status !== 'open' && status !== 'done') {
      throw invalid(where, keyLine(fm, 'status', text), `status must be open or done (got ${JSON.stringify(status)})`);
    }
    const blockedNode = fm.doc.get('blocked_by', true) as { toJSON(): unknown } | undefined;
    const blocked = blockedNode?.toJSON() ?? [];
    if (!Array.isArray(blocked) || !blocked.every((b) => typeof b === 'number' || typeof b === 'string')) {
      throw invalid(
        where,
        keyLine(fm, 'blocked_by', text),
        'blocked_by must be a list of task numbers (this PRD) or ids like "prd-2/03"',
      );
    }
    const title = fm.doc.get('title');
    return {
      id: localTaskId(prd.number, position),
      position,
      title: typeof title === 'string' ? title : (firstHeading(fm.body) ?? slug.replace(/-/g, ' ')),
      body: fm.body,
      kind: kind as TaskKind,
      state: status as TaskState,
      blockedBy: (blocked as (string | number)[]).map((b) => (typeof b === 'number' ? localTaskId(prd.number, b) : b)),
      location: where,
    };
  }

  async isTaskDone(id: string): Promise<boolean> {
    const m = /^prd-(\d+)\/(\d+)$/.exec(id);
    if (!m) return false;
    try {
      const tasks = await this.listTasks(await this.getPrd(Number(m[1])));
      return tasks.some((t) => t.id === localTaskId(Number(m[1]), Number(m[2])) && t.state === 'done');
    } catch {
      return false;
    }
  }

  howToMarkDone(task: Task): string {
    return `set "status: done" in ${task.location}`;
  }

  /** Read-modify-write one task file; written to a temp file and renamed so a kill never truncates it. */
  private async updateFile(
    location: string,
    change: (doc: ReturnType<typeof parseFrontMatter>['doc']) => void,
  ): Promise<void> {
    const file = join(this.root, location);
    const fm = parseFrontMatter(await readFile(file, 'utf8'), location);
    change(fm.doc);
    const tmp = `${file}.${process.pid}.tmp`;
    await writeFile(tmp, renderFrontMatter(fm));
    await rename(tmp, file);
  }

  async markDone(task: Task, ledgerRef: string): Promise<void> {
    await this.updateFile(task.location, (doc) => {
      doc.set('status', 'done');
      if (ledgerRef) doc.set('done_by', ledgerRef);
      doc.delete('last_failure');
    });
  }

  async recordFailure(task: Task, failure: TaskFailure): Promise<void> {
    await this.updateFile(task.location, (doc) => {
      doc.set('last_failure', {
        phase: failure.phase,
        error: failure.error.slice(0, 2000),
        resume: failure.resumeCommand,
        ...(failure.logFile ? { log: failure.logFile } : {}),
        at: new Date().toISOString(),
      });
    });
  }

  async openReview(prd: Prd, request: ReviewRequest): Promise<ReviewRecord> {
    const dir = join(this.root, prd.location, '..');
    const file = join(dir, 'review.md');
    await mkdir(dir, { recursive: true });
    const header = `# Review request: ${request.title}\n\nBranch \`${request.branch}\` → \`${request.base}\`\n\n`;
    await writeFile(`${file}.tmp`, header + request.body);
    await rename(`${file}.tmp`, file);
    const record: ReviewRecord = {
      kind: 'review-request',
      location: this.rel(file),
      branch: request.branch,
      openedAt: new Date().toISOString(),
    };
    // Recorded last: a PRD carries `review:` only once its request file is complete.
    await this.updateFile(prd.location, (doc) => {
      doc.set('review', {
        kind: record.kind,
        location: record.location,
        branch: record.branch,
        opened_at: record.openedAt,
      });
    });
    return record;
  }
}
