/**
 * The GitHub client's rules against a real HTTP server on loopback (./server.ts): the headers
 * GitHub documents, pagination by Link header, what 401/403/404/422 become, and retries — reads
 * answered 429/5xx are retried (honouring Retry-After), writes never are.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGitHub, type GitHub } from '../../../src/github/index.js';
import { isFactoryFailure } from '../../../src/lib/failure.js';
import { jobMarker } from '../../../src/publish/github/body.js';
import { postStatuses } from '../../../src/publish/github/statuses.js';
import { upsertPull } from '../../../src/publish/github/pulls.js';
import { githubFailure } from '../../../src/github/index.js';
import { startFakeGitHub, type FakeGitHub } from './server.js';

let gh: FakeGitHub;
let client: GitHub;
const r = { owner: 'acme', repo: 'diffie' };

beforeEach(async () => {
  gh = await startFakeGitHub();
  client = createGitHub({ token: gh.token, apiUrl: gh.url, retryDelayMs: 1 });
});
afterEach(async () => {
  await gh.close();
});

async function failure(p: Promise<unknown>) {
  const error = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, 'expected a failure').toBeDefined();
  return error;
}

const repoGet = () =>
  client.rest.repos.get(r).catch((e: unknown) => Promise.reject(githubFailure(e, 'reading', 'acme/diffie')));

describe('requests', () => {
  it('carry the token, the API version, a JSON accept and our user agent', async () => {
    await client.rest.repos.get(r);
    const [req] = gh.requests;
    expect(req?.method).toBe('GET');
    expect(req?.path).toBe('/repos/acme/diffie');
    expect(req?.headers.authorization).toBe(`token ${gh.token}`);
    expect(req?.headers['x-github-api-version']).toBe('2022-11-28');
    expect(req?.headers.accept).toMatch(/^application\/vnd\.github/);
    expect(req?.headers['user-agent']).toMatch(/^software-factory /);
  });

  it('follow Link rel="next" through every page to find the job marker', async () => {
    gh.pageSize = 2;
    for (let i = 0; i < 4; i++) gh.addPull({ head: 'factory/job_9', state: 'closed', body: `old run ${i}` });
    const mine = gh.addPull({ head: 'factory/job_9', state: 'closed', body: `x\n${jobMarker('job_9')}` });
    // Newest first: the job's pull request is on page 1 — push it to page 3 with newer ones.
    for (let i = 0; i < 4; i++) gh.addPull({ head: 'factory/job_9', state: 'closed', body: `later ${i}` });
    const pull = await upsertPull(client, r, {
      branch: 'factory/job_9',
      base: 'main',
      jobId: 'job_9',
      title: 'T',
      body: `new body\n${jobMarker('job_9')}`,
    });
    expect(pull.number).toBe(mine.number);
    expect(pull.updated).toBe(true);
    expect(gh.requests.map((q) => `${q.method} ${q.path}`)).toEqual([
      'GET /repos/acme/diffie/pulls?head=acme%3Afactory%2Fjob_9&state=all&per_page=100',
      'GET /repos/acme/diffie/pulls?head=acme%3Afactory%2Fjob_9&state=all&per_page=100&page=2',
      'GET /repos/acme/diffie/pulls?head=acme%3Afactory%2Fjob_9&state=all&per_page=100&page=3',
      'GET /repos/acme/diffie/pulls?head=acme%3Afactory%2Fjob_9&state=all&per_page=100&page=4',
      'GET /repos/acme/diffie/pulls?head=acme%3Afactory%2Fjob_9&state=all&per_page=100&page=5',
      `PATCH /repos/acme/diffie/pulls/${mine.number}`,
    ]);
    expect(gh.requests.at(-1)?.body).toEqual({ title: 'T', body: `new body\n${jobMarker('job_9')}` });
  });
});

describe('failures', () => {
  it('401: a bad token is said so, with the way to set one, and not retried', async () => {
    const bad = createGitHub({ token: 'ghp_wrong', apiUrl: gh.url, retryDelayMs: 1 });
    const e = await failure(
      bad.rest.repos
        .get(r)
        .catch((x: unknown) => Promise.reject(githubFailure(x, 'reading the repository acme/diffie'))),
    );
    expect(isFactoryFailure(e) && e.message).toBe('reading the repository acme/diffie failed: 401 Bad credentials');
    expect(isFactoryFailure(e) && e.hint).toMatch(/GITHUB_TOKEN|gh auth login/);
    expect(gh.requests).toHaveLength(1);
  });

  it('403: the permissions a token needs, not retried without Retry-After', async () => {
    gh.fail({
      method: 'GET',
      path: /^\/repos\/acme\/diffie$/,
      status: 403,
      body: { message: 'Resource not accessible by personal access token' },
    });
    const e = await failure(repoGet());
    expect(isFactoryFailure(e) && e.message).toContain('403 Resource not accessible by personal access token');
    expect(isFactoryFailure(e) && e.hint).toMatch(/Pull requests.*Commit statuses/);
    expect(gh.requests).toHaveLength(1);
  });

  it('404: the repository or the token’s access, named', async () => {
    const e = await failure(
      client.rest.repos
        .get({ owner: 'acme', repo: 'nope' })
        .catch((x: unknown) => Promise.reject(githubFailure(x, 'reading the repository acme/nope', 'acme/nope'))),
    );
    expect(isFactoryFailure(e) && e.message).toBe('reading the repository acme/nope failed: 404 Not Found');
    expect(isFactoryFailure(e) && e.hint).toContain('acme/nope was not found');
  });

  it('422 "already exists": another process opened it meanwhile — read again, never create twice', async () => {
    gh.fail({
      method: 'POST',
      path: /\/pulls$/,
      status: 422,
      body: {
        message: 'Validation Failed',
        errors: [
          { resource: 'PullRequest', code: 'custom', message: 'A pull request already exists for acme:factory/job_2.' },
        ],
      },
      then: () => gh.addPull({ head: 'factory/job_2', body: `theirs\n${jobMarker('job_2')}`, user: 'factory-bot' }),
    });
    const pull = await upsertPull(client, r, {
      branch: 'factory/job_2',
      base: 'main',
      jobId: 'job_2',
      title: 'Title',
      body: `ours\n${jobMarker('job_2')}`,
    });
    expect(pull.created).toBe(false);
    expect(gh.pulls).toHaveLength(1);
    expect(gh.requests.map((q) => q.method)).toEqual(['GET', 'POST', 'GET', 'PATCH']);
    expect(gh.pulls[0]?.body).toBe(`ours\n${jobMarker('job_2')}`);
  });

  it('422 for another reason is reported with GitHub’s errors', async () => {
    gh.fail({
      method: 'POST',
      path: /\/pulls$/,
      status: 422,
      body: {
        message: 'Validation Failed',
        errors: [{ resource: 'PullRequest', code: 'invalid', message: 'base is invalid' }],
      },
    });
    const e = await failure(
      upsertPull(client, r, { branch: 'factory/j', base: 'nope', jobId: 'j', title: 't', body: 'b' }),
    );
    expect(isFactoryFailure(e) && e.message).toBe(
      'opening a pull request from factory/j into nope failed: 422 Validation Failed (base is invalid)',
    );
    expect(gh.requests.filter((q) => q.method === 'POST')).toHaveLength(1);
  });
});

describe('retries', () => {
  it('a read answered 429 with Retry-After is sent again, and succeeds', async () => {
    gh.fail({ method: 'GET', path: /^\/repos\/acme\/diffie$/, status: 429, headers: { 'retry-after': '0' } });
    const { data } = await client.rest.repos.get(r);
    expect(data.default_branch).toBe('main');
    expect(gh.requests.map((q) => `${q.method} ${q.path}`)).toEqual([
      'GET /repos/acme/diffie',
      'GET /repos/acme/diffie',
    ]);
  });

  it('a read answered 403 with Retry-After (a secondary rate limit) is sent again', async () => {
    gh.fail({ method: 'GET', path: /^\/repos\/acme\/diffie$/, status: 403, headers: { 'retry-after': '0' } });
    await client.rest.repos.get(r);
    expect(gh.requests).toHaveLength(2);
  });

  it('reads answered 502 and 503 are retried until they succeed', async () => {
    gh.fail({ method: 'GET', path: /^\/repos\/acme\/diffie$/, status: 502 });
    gh.fail({ method: 'GET', path: /^\/repos\/acme\/diffie$/, status: 503, headers: { 'retry-after': '0' } });
    await client.rest.repos.get(r);
    expect(gh.requests).toHaveLength(3);
  });

  it('a read that keeps failing gives up after 3 retries', async () => {
    gh.fail({ method: 'GET', path: /^\/repos\/acme\/diffie$/, status: 500, times: 10 });
    const e = await failure(repoGet());
    expect(isFactoryFailure(e) && e.code).toBe('github-api');
    expect(gh.requests).toHaveLength(4);
  });

  it('a write answered 502 or 429 is never sent again', async () => {
    gh.fail({ method: 'POST', path: /\/statuses\//, status: 502 });
    const sha = 'd'.repeat(40);
    const e = await failure(
      postStatuses(client, r, {
        sha,
        targetUrl: 'https://example.test/pull/1',
        statuses: [{ context: 'factory/review', state: 'success', description: 'ok' }],
      }),
    );
    expect(isFactoryFailure(e) && e.message).toContain('setting the factory/review status failed: 502');
    gh.fail({ method: 'POST', path: /\/pulls$/, status: 429, headers: { 'retry-after': '0' } });
    await failure(upsertPull(client, r, { branch: 'factory/k', base: 'main', jobId: 'k', title: 't', body: 'b' }));
    const writes = gh.writes().map((q) => `${q.method} ${q.path}`);
    expect(writes).toEqual([`POST /repos/acme/diffie/statuses/${sha}`, 'POST /repos/acme/diffie/pulls']);
    expect(gh.statuses).toHaveLength(0);
    expect(gh.pulls).toHaveLength(0);
  });
});
