/**
 * The one GitHub REST client (architecture: `src/github/`): Octokit (`@octokit/rest`) with the
 * API version header GitHub documents, a timeout on every request, a configurable base URL (GitHub
 * Enterprise Server's `https://HOST/api/v3`, and the tests' loopback server), and one retry rule:
 * a GET answered 429, 5xx, or a 403 that carries Retry-After (a rate limit) is tried again after
 * Retry-After (capped) or a doubling delay; a write (POST, PATCH, PUT, DELETE) never is, so a
 * comment, a review or a pull request is never created twice. Failures become `FactoryFailure`s
 * that say which request failed and what to do (ADR 0120).
 */
import { Octokit } from '@octokit/rest';
import { ExitCode, FactoryFailure, isFactoryFailure } from '../lib/failure.js';

export const DEFAULT_GITHUB_API = 'https://api.github.com';
export const GITHUB_API_VERSION = '2022-11-28';
/** One request's limit; GitHub answers in well under a second when it is up. */
export const GITHUB_REQUEST_TIMEOUT_MS = 30_000;
const RETRY_AFTER_CAP_MS = 60_000;

export type GitHub = Octokit;

export interface GitHubOptions {
  token: string;
  /** API base URL (default https://api.github.com; `FACTORY_GITHUB_API` is the usual way to set it). */
  apiUrl?: string;
  timeoutMs?: number;
  userAgent?: string;
  /** Retries of a GET answered 429/5xx (default 3). */
  retries?: number;
  /** First retry delay, doubling each time; a Retry-After header wins. Default 1 000 ms. */
  retryDelayMs?: number;
}

/** Octokit warns on stderr about deprecations; a user's run never prints Node-style warnings. */
const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

interface HttpError {
  status?: number;
  message?: string;
  response?: { headers?: Record<string, string | number | undefined>; data?: unknown };
}

const httpError = (e: unknown): HttpError => (typeof e === 'object' && e !== null ? (e as HttpError) : {});

function retryAfterMs(e: HttpError): number | undefined {
  const seconds = Number(e.response?.headers?.['retry-after']);
  return Number.isFinite(seconds) && seconds >= 0 ? Math.min(seconds * 1000, RETRY_AFTER_CAP_MS) : undefined;
}

/** Whether a failed request may be sent again: reads only. */
export function isRetryable(method: string, e: unknown): boolean {
  if (method.toUpperCase() !== 'GET') return false;
  const { status } = httpError(e);
  if (status === undefined) return true;
  return status === 429 || status >= 500 || (status === 403 && retryAfterMs(httpError(e)) !== undefined);
}

export function createGitHub(o: GitHubOptions): GitHub {
  const timeoutMs = o.timeoutMs ?? GITHUB_REQUEST_TIMEOUT_MS;
  const retries = o.retries ?? 3;
  const delay = o.retryDelayMs ?? 1000;
  const octokit = new Octokit({
    auth: o.token,
    baseUrl: (o.apiUrl ?? DEFAULT_GITHUB_API).replace(/\/+$/, ''),
    userAgent: o.userAgent ?? 'software-factory',
    log: quiet,
    request: {
      fetch: (url: string, init: RequestInit = {}) =>
        fetch(url, {
          ...init,
          signal: init.signal
            ? AbortSignal.any([init.signal, AbortSignal.timeout(timeoutMs)])
            : AbortSignal.timeout(timeoutMs),
        }),
    },
  });
  octokit.hook.wrap('request', async (request, options) => {
    options.headers['x-github-api-version'] = GITHUB_API_VERSION;
    for (let attempt = 0; ; attempt++) {
      try {
        return await request(options);
      } catch (error) {
        if (!isRetryable(options.method, error) || attempt >= retries) throw error;
        const wait = retryAfterMs(httpError(error)) ?? delay * 2 ** attempt;
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    }
  });
  return octokit;
}

/** GitHub's validation errors (422) as one line: `{"errors":[{"message":"…"}]}`. */
function detailOf(e: HttpError): string {
  const data = e.response?.data as { message?: string; errors?: ({ message?: string } | string)[] } | undefined;
  const errors = (data?.errors ?? [])
    .map((x) => (typeof x === 'string' ? x : x.message))
    .filter((x): x is string => Boolean(x));
  const base = data?.message ?? e.message ?? 'no answer';
  return errors.length ? `${base} (${errors.join('; ')})` : base;
}

/** The HTTP status of a failed request, if it got an answer. */
export function statusOf(error: unknown): number | undefined {
  if (isFactoryFailure(error)) return typeof error.details?.status === 'number' ? error.details.status : undefined;
  return httpError(error).status;
}

/** GitHub's message and errors of a failed request (for telling a 422's reasons apart). */
export function messageOf(error: unknown): string {
  return isFactoryFailure(error) ? error.message : detailOf(httpError(error));
}

/** A failed request as a FactoryFailure: what was asked, GitHub's answer, and what to do. */
export function githubFailure(error: unknown, what: string, repo?: string): FactoryFailure {
  if (isFactoryFailure(error)) return error;
  const e = httpError(error);
  const status = e.status;
  const hints: Record<number, string> = {
    401: 'the token is not valid (expired or revoked): set GITHUB_TOKEN or run "gh auth login"',
    403: 'the token lacks a permission: a fine-grained token needs Contents, Pull requests and Commit statuses (read and write); a classic one the repo scope',
    404: `the repository${repo ? ` ${repo}` : ''} was not found, or the token cannot see it: check the remote (or FACTORY_GITHUB_REPO) and the token's repository access`,
    422: 'GitHub refused the request as invalid; the message says why',
  };
  return new FactoryFailure(
    'github-api',
    `${what} failed: ${status === undefined || status === 500 ? '' : `${status} `}${detailOf(e)}`,
    {
      exitCode: status === 422 ? ExitCode.failed : ExitCode.unavailable,
      hint:
        (status !== undefined ? hints[status] : undefined) ??
        'check the network, or FACTORY_GITHUB_API for GitHub Enterprise',
      details: { ...(status !== undefined ? { status } : {}) },
    },
  );
}
