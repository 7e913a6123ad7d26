/**
 * The `github` backlog: a PRD is an issue labelled `prd`; its tasks are its native sub-issues in
 * their GitHub order (`GET /repos/{o}/{r}/issues/{n}/sub_issues`), or, when it has none, the issues
 * of the task list in its body (`- [ ] #12`) in list order. A task is AFK or HITL by its `afk` /
 * `hitl` label; its blockers are the issues linked under a `## Blocked by` heading in its body.
 *
 *   PRD state   closed → done; open with label `draft` → draft; open → ready
 *   task state  closed, or labelled `factory-done` (the walker's mark) → done; otherwise open
 *   review      a pull request whose head is the PRD's branch, in any state
 *
 * The walker never closes task issues: the pull request body says `Closes #n` for each, so they
 * close when a person merges it. Everything goes through the REST API (github-client.ts); the
 * tests replay recorded responses on loopback — nothing here has run against live GitHub.
 */
import { ExitCode, FactoryFailure, isFactoryFailure } from '../lib/failure.js';
import type { GitHubClient } from './github-client.js';
import type { BacklogSource, Prd, ReviewRecord, ReviewRequest, Task, TaskFailure } from './types.js';

export interface GitHubBacklogOptions {
  client: GitHubClient;
  /** `owner/name`. */
  repo: string;
  /** The branch the walker uses for PRD N (to find its pull request). */
  branchFor: (prd: number) => string;
  prdLabel?: string;
}

/** The subset of GitHub's issue object this source reads. */
export interface GitHubIssue {
  id: number;
  number: number;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  html_url: string;
  labels: ({ name: string } | string)[];
  pull_request?: unknown;
}

interface GitHubPull {
  number: number;
  html_url: string;
  state: string;
  created_at: string;
  head: { ref: string };
}

export const DONE_LABEL = 'factory-done';

const labelNames = (issue: GitHubIssue) => issue.labels.map((l) => (typeof l === 'string' ? l : l.name).toLowerCase());

/** Issue numbers referenced in Markdown: `#12`, `owner/repo#12` (same repo only), or an issue URL. */
export function issueRefs(text: string, repo: string): number[] {
  const out: number[] = [];
  const re = /(?:https:\/\/github\.com\/([\w.-]+\/[\w.-]+)\/issues\/(\d+))|(?:([\w.-]+\/[\w.-]+)?#(\d+))/g;
  for (const m of text.matchAll(re)) {
    const other = m[1] ?? m[3];
    if (other && other.toLowerCase() !== repo.toLowerCase()) continue;
    const n = Number(m[2] ?? m[4]);
    if (!out.includes(n)) out.push(n);
  }
  return out;
}

/** The text under a `## Blocked by` heading (any level), up to the next heading. */
export function blockedBySection(body: string): string {
  const m = /^#{1,6}[ \t]+blocked[ \t]+by[ \t]*:?[ \t]*$/im.exec(body);
  if (!m) return '';
  const rest = body.slice(m.index + m[0].length);
  const end = /^#{1,6}[ \t]/m.exec(rest);
  return end ? rest.slice(0, end.index) : rest;
}

/** Issue numbers of a GitHub task list (`- [ ] #12`, `* [x] https://…/issues/13`), in order. */
export function taskListRefs(body: string, repo: string): number[] {
  const out: number[] = [];
  for (const line of body.split(/\r?\n/)) {
    const m = /^\s*[-*+]\s+\[[ xX]\]\s+(.*)$/.exec(line);
    const first = m?.[1] ? issueRefs(m[1], repo)[0] : undefined;
    if (first !== undefined && !out.includes(first)) out.push(first);
  }
  return out;
}

export class GitHubBacklog implements BacklogSource {
  readonly kind = 'github' as const;
  private readonly client: GitHubClient;
  readonly repo: string;
  private readonly branchFor: (prd: number) => string;
  private readonly prdLabel: string;

  constructor(options: GitHubBacklogOptions) {
    this.client = options.client;
    this.repo = options.repo;
    this.branchFor = options.branchFor;
    this.prdLabel = options.prdLabel ?? 'prd';
  }

  private get base(): string {
    return `/repos/${this.repo}`;
  }

  async listPrds(): Promise<Prd[]> {
    const issues = await this.client.paginate<GitHubIssue>(
      `${this.base}/issues?labels=${encodeURIComponent(this.prdLabel)}&state=open&per_page=100`,
    );
    const prds = issues.filter((i) => !i.pull_request).sort((a, b) => a.number - b.number);
    return Promise.all(prds.map((i) => this.toPrd(i)));
  }

  async getPrd(number: number): Promise<Prd> {
    let issue: GitHubIssue;
    try {
      issue = await this.client.get<GitHubIssue>(`${this.base}/issues/${number}`);
    } catch (error) {
      if (isFactoryFailure(error) && error.details?.status === 404) {
        throw new FactoryFailure('prd-not-found', `no issue #${number} in ${this.repo}`, {
          exitCode: ExitCode.invalid,
        });
      }
      throw error;
    }
    if (issue.pull_request || !labelNames(issue).includes(this.prdLabel)) {
      throw new FactoryFailure('prd-not-found', `${this.repo}#${number} is not a PRD (no "${this.prdLabel}" label)`, {
        exitCode: ExitCode.invalid,
        hint: `add the "${this.prdLabel}" label to the issue`,
      });
    }
    return this.toPrd(issue);
  }

  private async toPrd(issue: GitHubIssue): Promise<Prd> {
    const branch = this.branchFor(issue.number);
    const owner = this.repo.split('/')[0] ?? '';
    const pulls = await this.client.get<GitHubPull[]>(
      `${this.base}/pulls?head=${encodeURIComponent(`${owner}:${branch}`)}&state=all&per_page=10`,
    );
    const pr = pulls.find((p) => p.head.ref === branch);
    return {
      number: issue.number,
      title: issue.title,
      body: issue.body ?? '',
      state: issue.state === 'closed' ? 'done' : labelNames(issue).includes('draft') ? 'draft' : 'ready',
      ref: String(issue.number),
      location: issue.html_url,
      ...(pr ? { review: { kind: 'pull-request', location: pr.html_url, branch, openedAt: pr.created_at } } : {}),
    };
  }

  async listTasks(prd: Prd): Promise<Task[]> {
    let issues = await this.client.paginate<GitHubIssue>(`${this.base}/issues/${prd.number}/sub_issues?per_page=100`);
    if (issues.length === 0) {
      const numbers = taskListRefs(prd.body, this.repo);
      issues = [];
      for (const n of numbers) issues.push(await this.client.get<GitHubIssue>(`${this.base}/issues/${n}`));
    }
    return issues.map((issue, index) => this.toTask(issue, index + 1));
  }

  private toTask(issue: GitHubIssue, position: number): Task {
    const labels = labelNames(issue);
    const afk = labels.includes('afk');
    const hitl = labels.includes('hitl');
    const body = issue.body ?? '';
    return {
      id: String(issue.number),
      position,
      title: issue.title,
      body,
      kind: afk && !hitl ? 'afk' : 'hitl',
      state: issue.state === 'closed' || labels.includes(DONE_LABEL) ? 'done' : 'open',
      blockedBy: issueRefs(blockedBySection(body), this.repo).map(String),
      location: issue.html_url,
      ...(afk && hitl
        ? { kindNote: 'it has both the "afk" and the "hitl" label' }
        : !afk && !hitl
          ? { kindNote: 'it has neither an "afk" nor a "hitl" label, so a person decides' }
          : {}),
    };
  }

  async isTaskDone(id: string): Promise<boolean> {
    if (!/^\d+$/.test(id)) return false;
    try {
      const issue = await this.client.get<GitHubIssue>(`${this.base}/issues/${id}`);
      return issue.state === 'closed' || labelNames(issue).includes(DONE_LABEL);
    } catch {
      return false;
    }
  }

  howToMarkDone(task: Task): string {
    return `close ${task.location}`;
  }

  async markDone(task: Task, ledgerRef: string): Promise<void> {
    await this.client.request('POST', `${this.base}/issues/${task.id}/comments`, {
      body: `Done by factory in ${ledgerRef}. This issue closes when the PRD's pull request is merged.`,
    });
    await this.client.request('POST', `${this.base}/issues/${task.id}/labels`, { labels: [DONE_LABEL] });
  }

  async recordFailure(task: Task, failure: TaskFailure): Promise<void> {
    const lines = [
      `**factory: the ${failure.phase} phase failed.**`,
      '',
      '```',
      failure.error.slice(0, 3000),
      '```',
      '',
      `Resume with \`${failure.resumeCommand}\`${failure.logFile ? ` (log: \`${failure.logFile}\`)` : ''}.`,
    ];
    await this.client.request('POST', `${this.base}/issues/${task.id}/comments`, { body: lines.join('\n') });
  }

  async openReview(prd: Prd, request: ReviewRequest): Promise<ReviewRecord> {
    let url: string;
    let openedAt: string;
    try {
      const { data } = await this.client.request<GitHubPull>('POST', `${this.base}/pulls`, {
        title: request.title,
        head: request.branch,
        base: request.base,
        body: request.body,
      });
      url = data.html_url;
      openedAt = data.created_at;
    } catch (error) {
      // 422 "A pull request already exists": a previous run opened it and died before recording.
      if (!(isFactoryFailure(error) && error.details?.status === 422)) throw error;
      const again = await this.getPrd(prd.number);
      if (!again.review) throw error;
      return again.review;
    }
    await this.client.request('POST', `${this.base}/issues/${prd.number}/comments`, {
      body: `factory finished every task of this PRD and opened ${url} for review.`,
    });
    return { kind: 'pull-request', location: url, branch: request.branch, openedAt };
  }
}
