/**
 * A small GitHub REST client on `fetch`: the headers GitHub documents, a token from the
 * environment or `gh auth token`, `Link: rel="next"` pagination, a timeout on every request, and
 * failures as `FactoryFailure`s that say which request failed.
 *
 * The base URL is overridable (`FACTORY_GITHUB_API`) for GitHub Enterprise and for the tests, which
 * point it at a loopback server replaying recorded responses (test/fixtures/github/).
 */
import { ExitCode, FactoryFailure, isFactoryFailure } from '../lib/failure.js';

export const DEFAULT_GITHUB_API = 'https://api.github.com';
export const GITHUB_API_VERSION = '2022-11-28';
/** One request's limit; GitHub answers in well under a second when it is up. */
export const GITHUB_REQUEST_TIMEOUT_MS = 30_000;

export interface GitHubClientOptions {
  token: string;
  apiBase?: string;
  timeoutMs?: number;
  userAgent?: string;
  /** Retries of a GET answered 429/5xx or not answered at all (default 3). */
  retries?: number;
  /** First retry delay; doubles each time; a Retry-After header (capped at 60 s) wins. Default 1 000 ms. */
  retryDelayMs?: number;
}

const RETRY_AFTER_CAP_MS = 60_000;

export class GitHubClient {
  readonly apiBase: string;
  private readonly token: string;
  private readonly timeoutMs: number;
  private readonly userAgent: string;
  private readonly retries: number;
  private readonly retryDelayMs: number;

  constructor(options: GitHubClientOptions) {
    this.retries = options.retries ?? 3;
    this.retryDelayMs = options.retryDelayMs ?? 1000;
    this.token = options.token;
    this.apiBase = (options.apiBase ?? DEFAULT_GITHUB_API).replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? GITHUB_REQUEST_TIMEOUT_MS;
    this.userAgent = options.userAgent ?? 'software-factory';
  }

  /**
   * One request; `path` is relative to the API base (`/repos/o/r/issues/1`) or an absolute `next`
   * link. GETs are retried on 429, 5xx and network errors (they change nothing); writes are not, so
   * a comment is never posted twice.
   */
  async request<T>(method: string, path: string, body?: unknown): Promise<{ data: T; next?: string }> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.once<T>(method, path, body);
      } catch (error) {
        const status = isFactoryFailure(error) ? error.details?.status : undefined;
        const retryable =
          method === 'GET' && (status === undefined || status === 429 || (typeof status === 'number' && status >= 500));
        if (!retryable || attempt >= this.retries) throw error;
        const after =
          isFactoryFailure(error) && typeof error.details?.retryAfterMs === 'number'
            ? error.details.retryAfterMs
            : undefined;
        await new Promise((resolve) => setTimeout(resolve, after ?? this.retryDelayMs * 2 ** attempt));
      }
    }
  }

  private async once<T>(method: string, path: string, body?: unknown): Promise<{ data: T; next?: string }> {
    const url = path.startsWith('http') ? path : `${this.apiBase}${path}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: {
          accept: 'application/vnd.github+json',
          authorization: `Bearer ${this.token}`,
          'x-github-api-version': GITHUB_API_VERSION,
          'user-agent': this.userAgent,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      const why =
        error instanceof Error && error.name === 'TimeoutError' ? `no answer in ${this.timeoutMs} ms` : String(error);
      throw new FactoryFailure('github-unreachable', `${method} ${url} failed: ${why}`, {
        exitCode: ExitCode.unavailable,
        hint: 'check the network, or FACTORY_GITHUB_API if you set it',
      });
    }
    const text = await response.text();
    if (!response.ok) {
      let message = text.slice(0, 300);
      try {
        message = (JSON.parse(text) as { message?: string }).message ?? message;
      } catch {
        // not JSON: keep the raw text
      }
      throw new FactoryFailure('github-api', `${method} ${path} → ${response.status}: ${message}`, {
        exitCode: response.status === 404 || response.status === 422 ? ExitCode.failed : ExitCode.unavailable,
        hint:
          response.status === 401 || response.status === 403
            ? 'the token lacks access: set GITHUB_TOKEN or run "gh auth login"'
            : undefined,
        details: { status: response.status, method, path, ...retryAfter(response) },
      });
    }
    const next = /<([^>]+)>;\s*rel="next"/.exec(response.headers.get('link') ?? '')?.[1];
    return { data: (text ? JSON.parse(text) : null) as T, ...(next ? { next } : {}) };
  }

  async get<T>(path: string): Promise<T> {
    return (await this.request<T>('GET', path)).data;
  }

  /** Every page of a list endpoint, following `Link: rel="next"`. */
  async paginate<T>(path: string): Promise<T[]> {
    const out: T[] = [];
    let next: string | undefined = path;
    for (let page = 0; next !== undefined && page < 100; page++) {
      const res: { data: T[]; next?: string } = await this.request<T[]>('GET', next);
      out.push(...res.data);
      next = res.next;
    }
    return out;
  }
}

function retryAfter(response: Response): { retryAfterMs?: number } {
  const seconds = Number(response.headers.get('retry-after'));
  return Number.isFinite(seconds) && seconds > 0 ? { retryAfterMs: Math.min(seconds * 1000, RETRY_AFTER_CAP_MS) } : {};
}

/** Shared with the publisher (src/github/): one token rule, one remote parser. */
export { parseGitHubRemote, resolveGitHubToken } from '../github/index.js';
