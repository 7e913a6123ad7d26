/**
 * A GitHub REST API on 127.0.0.1 for the github publisher's tests: a real node:http server that
 * keeps state (one repository's pull requests, labels, reviews and commit statuses) and answers the
 * endpoints the publisher uses with the response shapes of GitHub's REST documentation
 * (docs.github.com/rest: pulls, issues/labels, pulls/reviews, commits/statuses, repos, branches).
 * It records every request (method, path with query, headers, JSON body) and can be told to fail
 * the next matching requests (401/403/404/422/429/5xx, with Retry-After) to test the error paths.
 * An endpoint it does not implement answers 404 like GitHub does, and the test sees it recorded.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: unknown;
}

export interface FakePull {
  number: number;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  merged: boolean;
  head: string;
  base: string;
  labels: string[];
  user: string;
  createdAt: string;
}

export interface FakeReview {
  id: number;
  pull: number;
  state: 'COMMENTED' | 'CHANGES_REQUESTED' | 'APPROVED';
  body: string;
  commit_id: string;
  comments: { path: string; line: number; side: string; body: string }[];
}

export interface FakeStatus {
  id: number;
  sha: string;
  state: string;
  context: string;
  description: string | null;
  target_url: string | null;
}

interface Fault {
  method: string;
  path: RegExp;
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
  times: number;
  /** Runs when the fault fires (e.g. another process opening the pull request meanwhile). */
  then?: () => void;
}

export interface FakeGitHub {
  url: string;
  /** The html base (pull requests' html_url start with it). */
  web: string;
  owner: string;
  repo: string;
  token: string;
  requests: RecordedRequest[];
  pulls: FakePull[];
  reviews: FakeReview[];
  statuses: FakeStatus[];
  /** Branches GitHub reports as protected. */
  protectedBranches: Set<string>;
  /** Page size of list endpoints, whatever per_page asks (to exercise pagination). */
  pageSize: number;
  /** GitHub's rule: the author of a pull request cannot request changes on it. */
  authorCannotRequestChanges: boolean;
  fail(f: Omit<Fault, 'times'> & { times?: number }): void;
  /** A pull request opened by someone else (or an earlier run). */
  addPull(p: Partial<FakePull> & { head: string }): FakePull;
  /** The requests that changed something (POST, PATCH, PUT, DELETE). */
  writes(): RecordedRequest[];
  close(): Promise<void>;
}

const DOCS = 'https://docs.github.com/rest';

export async function startFakeGitHub(o: { owner?: string; repo?: string; token?: string } = {}): Promise<FakeGitHub> {
  const owner = o.owner ?? 'acme';
  const repo = o.repo ?? 'diffie';
  const token = o.token ?? `ghp_${'T0kenForTests'.repeat(3)}`;
  const web = 'https://github.example.test';
  const faults: Fault[] = [];
  let nextId = 1000;
  let base = '';

  const gh: FakeGitHub = {
    url: '',
    web,
    owner,
    repo,
    token,
    requests: [],
    pulls: [],
    reviews: [],
    statuses: [],
    protectedBranches: new Set(['main']),
    pageSize: 30,
    authorCannotRequestChanges: false,
    fail: (f) => faults.push({ times: 1, ...f }),
    addPull(p) {
      const pull: FakePull = {
        number: gh.pulls.length + 1,
        title: 'A pull request',
        body: null,
        state: 'open',
        merged: false,
        base: 'main',
        labels: [],
        user: 'someone',
        createdAt: new Date().toISOString(),
        ...p,
      };
      gh.pulls.push(pull);
      return pull;
    },
    writes: () => gh.requests.filter((r) => r.method !== 'GET'),
    close: async () => {},
  };

  const repoJson = () => ({
    id: 1296269,
    node_id: 'MDEwOlJlcG9zaXRvcnkxMjk2MjY5',
    name: repo,
    full_name: `${owner}/${repo}`,
    owner: { login: owner, id: 1, type: 'Organization' },
    private: true,
    html_url: `${web}/${owner}/${repo}`,
    url: `${base}/repos/${owner}/${repo}`,
    default_branch: 'main',
    visibility: 'private',
  });
  const label = (name: string) => ({
    id: 208045946 + name.length,
    node_id: 'MDU6TGFiZWwyMDgwNDU5NDY=',
    url: `${base}/repos/${owner}/${repo}/labels/${encodeURIComponent(name)}`,
    name,
    description: null,
    color: 'ededed',
    default: false,
  });
  const pullJson = (p: FakePull, single = false) => ({
    url: `${base}/repos/${owner}/${repo}/pulls/${p.number}`,
    id: 1_000_000 + p.number,
    node_id: 'MDExOlB1bGxSZXF1ZXN0MQ==',
    html_url: `${web}/${owner}/${repo}/pull/${p.number}`,
    diff_url: `${web}/${owner}/${repo}/pull/${p.number}.diff`,
    number: p.number,
    state: p.state,
    locked: false,
    title: p.title,
    user: { login: p.user, id: 583231, type: 'User' },
    body: p.body,
    labels: p.labels.map(label),
    created_at: p.createdAt,
    updated_at: p.createdAt,
    closed_at: p.state === 'closed' ? p.createdAt : null,
    merged_at: p.merged ? p.createdAt : null,
    merge_commit_sha: null,
    draft: false,
    head: { label: `${owner}:${p.head}`, ref: p.head, sha: 'a'.repeat(40), repo: repoJson() },
    base: { label: `${owner}:${p.base}`, ref: p.base, sha: 'b'.repeat(40), repo: repoJson() },
    author_association: 'MEMBER',
    ...(single ? { merged: p.merged, mergeable: true, comments: 0, commits: 1 } : {}),
  });
  const reviewJson = (r: FakeReview) => ({
    id: r.id,
    node_id: 'MDE3OlB1bGxSZXF1ZXN0UmV2aWV3ODA=',
    user: { login: 'factory-bot', id: 2, type: 'User' },
    body: r.body,
    state: r.state,
    html_url: `${web}/${owner}/${repo}/pull/${r.pull}#pullrequestreview-${r.id}`,
    pull_request_url: `${base}/repos/${owner}/${repo}/pulls/${r.pull}`,
    submitted_at: new Date().toISOString(),
    commit_id: r.commit_id,
    author_association: 'MEMBER',
  });
  const statusJson = (s: FakeStatus) => ({
    url: `${base}/repos/${owner}/${repo}/statuses/${s.sha}`,
    id: s.id,
    node_id: 'MDY6U3RhdHVzMQ==',
    state: s.state,
    description: s.description,
    target_url: s.target_url,
    context: s.context,
    created_at: new Date().toISOString(),
    updated_at: new Date().toISOString(),
  });

  type Reply = { status: number; body?: unknown; headers?: Record<string, string> };
  const notFound: Reply = { status: 404, body: { message: 'Not Found', documentation_url: DOCS, status: '404' } };
  const invalid = (message: string, errors: unknown[] = []): Reply => ({
    status: 422,
    body: { message, errors, documentation_url: DOCS, status: '422' },
  });

  /** One page of a list, with GitHub's Link header. */
  function page(url: URL, items: unknown[]): Reply {
    const size = Math.min(gh.pageSize, Number(url.searchParams.get('per_page') ?? 30));
    const n = Number(url.searchParams.get('page') ?? 1);
    const last = Math.max(1, Math.ceil(items.length / size));
    const at = (p: number) => {
      const u = new URL(url.toString());
      u.searchParams.set('page', String(p));
      return `<${base}${u.pathname}${u.search}>`;
    };
    const links = [
      ...(n < last ? [`${at(n + 1)}; rel="next"`, `${at(last)}; rel="last"`] : []),
      ...(n > 1 ? [`${at(1)}; rel="first"`, `${at(n - 1)}; rel="prev"`] : []),
    ];
    return {
      status: 200,
      body: items.slice((n - 1) * size, n * size),
      ...(links.length ? { headers: { link: links.join(', ') } } : {}),
    };
  }

  function route(method: string, url: URL, body: Record<string, unknown>): Reply {
    const prefix = `/repos/${owner}/${repo}`;
    const p = decodeURIComponent(url.pathname);
    if (!p.startsWith(prefix)) return notFound;
    const rest = p.slice(prefix.length);
    let m: RegExpExecArray | null;
    if (method === 'GET' && rest === '') return { status: 200, body: repoJson() };
    if (method === 'GET' && (m = /^\/branches\/(.+)$/.exec(rest))) {
      const name = m[1] as string;
      if (!gh.protectedBranches.has(name) && !gh.pulls.some((x) => x.head === name))
        return { status: 404, body: { message: 'Branch not found', documentation_url: DOCS, status: '404' } };
      return {
        status: 200,
        body: { name, commit: { sha: 'c'.repeat(40) }, protected: gh.protectedBranches.has(name) },
      };
    }
    if (rest === '/pulls' && method === 'GET') {
      const head = url.searchParams.get('head');
      const state = url.searchParams.get('state') ?? 'open';
      const list = gh.pulls
        .filter((x) => !head || `${owner}:${x.head}` === head)
        .filter((x) => state === 'all' || x.state === state)
        .sort((a, b) => b.number - a.number)
        .map((x) => pullJson(x));
      return page(url, list);
    }
    if (rest === '/pulls' && method === 'POST') {
      const head = String(body.head ?? '');
      if (!body.title || !head || !body.base)
        return invalid('Validation Failed', [{ resource: 'PullRequest', code: 'missing_field' }]);
      if (gh.pulls.some((x) => x.head === head && x.state === 'open'))
        return invalid('Validation Failed', [
          { resource: 'PullRequest', code: 'custom', message: `A pull request already exists for ${owner}:${head}.` },
        ]);
      const pull = gh.addPull({
        head,
        base: String(body.base),
        title: String(body.title),
        body: typeof body.body === 'string' ? body.body : null,
        user: 'factory-bot',
      });
      return {
        status: 201,
        body: pullJson(pull, true),
        headers: { location: `${base}${prefix}/pulls/${pull.number}` },
      };
    }
    if ((m = /^\/pulls\/(\d+)$/.exec(rest))) {
      const pull = gh.pulls.find((x) => x.number === Number(m?.[1]));
      if (!pull) return notFound;
      if (method === 'GET') return { status: 200, body: pullJson(pull, true) };
      if (method === 'PATCH') {
        if (typeof body.title === 'string') pull.title = body.title;
        if (typeof body.body === 'string') pull.body = body.body;
        if (body.state === 'open' || body.state === 'closed') pull.state = body.state;
        return { status: 200, body: pullJson(pull, true) };
      }
    }
    if ((m = /^\/issues\/(\d+)\/labels$/.exec(rest)) && method === 'POST') {
      const pull = gh.pulls.find((x) => x.number === Number(m?.[1]));
      if (!pull) return notFound;
      const names = Array.isArray(body.labels) ? (body.labels as string[]) : [];
      for (const n of names) if (!pull.labels.includes(n)) pull.labels.push(n);
      return { status: 200, body: pull.labels.map(label) };
    }
    if ((m = /^\/pulls\/(\d+)\/reviews$/.exec(rest))) {
      const number = Number(m[1]);
      const pull = gh.pulls.find((x) => x.number === number);
      if (!pull) return notFound;
      if (method === 'GET') return page(url, gh.reviews.filter((r) => r.pull === number).map(reviewJson));
      if (method === 'POST') {
        const event = String(body.event ?? '');
        if (event === 'REQUEST_CHANGES' && gh.authorCannotRequestChanges && pull.user === 'factory-bot')
          return invalid('Unprocessable Entity', ['Review Can not request changes on your own pull request']);
        if (!['COMMENT', 'REQUEST_CHANGES', 'APPROVE'].includes(event))
          return invalid('Validation Failed', [{ resource: 'PullRequestReview', code: 'invalid', field: 'event' }]);
        const review: FakeReview = {
          id: nextId++,
          pull: number,
          state: event === 'REQUEST_CHANGES' ? 'CHANGES_REQUESTED' : event === 'APPROVE' ? 'APPROVED' : 'COMMENTED',
          body: String(body.body ?? ''),
          commit_id: String(body.commit_id ?? ''),
          comments: (body.comments ?? []) as FakeReview['comments'],
        };
        gh.reviews.push(review);
        return { status: 200, body: reviewJson(review) };
      }
    }
    if ((m = /^\/commits\/([^/]+)\/status$/.exec(rest)) && method === 'GET') {
      const sha = m[1] as string;
      const latest = new Map<string, FakeStatus>();
      for (const s of gh.statuses.filter((x) => x.sha === sha)) latest.set(s.context, s);
      const statuses = [...latest.values()];
      const state = statuses.some((s) => s.state === 'failure' || s.state === 'error')
        ? 'failure'
        : statuses.length && statuses.every((s) => s.state === 'success')
          ? 'success'
          : 'pending';
      return {
        status: 200,
        body: { state, statuses: statuses.map(statusJson), sha, total_count: statuses.length, repository: repoJson() },
      };
    }
    if ((m = /^\/statuses\/([0-9a-f]{40})$/.exec(rest)) && method === 'POST') {
      if (!['error', 'failure', 'pending', 'success'].includes(String(body.state)))
        return invalid('Validation Failed', [{ resource: 'Status', code: 'custom', field: 'state' }]);
      const s: FakeStatus = {
        id: nextId++,
        sha: m[1] as string,
        state: String(body.state),
        context: String(body.context ?? 'default'),
        description: typeof body.description === 'string' ? body.description : null,
        target_url: typeof body.target_url === 'string' ? body.target_url : null,
      };
      gh.statuses.push(s);
      return { status: 201, body: statusJson(s) };
    }
    return notFound;
  }

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const method = req.method ?? 'GET';
      const url = new URL(req.url ?? '/', base);
      let body: unknown;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        body = text;
      }
      gh.requests.push({ method, path: `${url.pathname}${url.search}`, headers: req.headers, body });
      const send = (r: Reply) => {
        res.writeHead(r.status, {
          'content-type': 'application/json; charset=utf-8',
          'x-github-api-version-selected': '2022-11-28',
          'x-ratelimit-limit': '5000',
          'x-ratelimit-remaining': '4999',
          ...r.headers,
        });
        res.end(r.body === undefined ? '' : JSON.stringify(r.body));
      };
      const auth = req.headers.authorization ?? '';
      if (auth !== `token ${token}` && auth !== `Bearer ${token}`)
        return send({ status: 401, body: { message: 'Bad credentials', documentation_url: DOCS, status: '401' } });
      const fault = faults.find((f) => f.times > 0 && f.method === method && f.path.test(url.pathname));
      if (fault) {
        fault.times--;
        fault.then?.();
        return send({
          status: fault.status,
          body: fault.body ?? {
            message: `injected ${fault.status}`,
            documentation_url: DOCS,
            status: String(fault.status),
          },
          ...(fault.headers ? { headers: fault.headers } : {}),
        });
      }
      send(route(method, url, (body ?? {}) as Record<string, unknown>));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  gh.url = base;
  gh.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return gh;
}
