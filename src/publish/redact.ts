/**
 * The one redaction step (architecture decision 15): everything that leaves the machine — review
 * pages, PR bodies and comments, chat messages, dashboard pages — passes through a `Redactor` first.
 * It replaces two kinds of secret with `[redacted]`:
 *
 * - the *values* of the environment's secrets: every variable whose name says it holds one (TOKEN,
 *   SECRET, PASSWORD, API_KEY, …) and every value the caller names (the instance's generated
 *   secrets, a bot token), so a secret is caught wherever it turns up, in a log tail or an agent's
 *   echo, whatever its shape;
 * - *token patterns* of the services agents and CI talk to (GitHub, Anthropic, OpenAI, Slack,
 *   Telegram, AWS, private keys, bearer headers, credentials in URLs), so a secret the environment
 *   never held is caught too.
 *
 * Values shorter than MIN_SECRET_LENGTH are not redacted by value (a `PASSWORD=1` would otherwise
 * blank every digit 1 in a page); the patterns still apply.
 */

export const REDACTED = '[redacted]';
const MIN_SECRET_LENGTH = 6;

/** Variable names whose values are secrets. */
const SECRET_NAME =
  /(TOKEN|SECRET|PASSW(OR)?D|PASSPHRASE|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIALS?|AUTH|COOKIE|SESSION_?KEY|DSN)/i;

/**
 * Shapes of well-known tokens. Each keeps enough context (a prefix such as `Bearer `) to stay
 * readable; the secret part is what is replaced.
 */
const TOKEN_PATTERNS: { pattern: RegExp; keep?: number }[] = [
  { pattern: /\bgh[pousr]_[A-Za-z0-9]{20,255}\b/g }, // GitHub classic tokens
  { pattern: /\bgithub_pat_[A-Za-z0-9_]{20,255}\b/g }, // GitHub fine-grained tokens
  { pattern: /\bsk-ant-[A-Za-z0-9_-]{16,}\b/g }, // Anthropic
  { pattern: /\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}\b/g }, // OpenAI
  { pattern: /\bxox[abposr]-[A-Za-z0-9-]{10,}\b/g }, // Slack
  { pattern: /\b\d{6,12}:AA[A-Za-z0-9_-]{30,}\b/g }, // Telegram bot tokens
  { pattern: /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g }, // AWS access key ids
  { pattern: /\bglpat-[A-Za-z0-9_-]{20,}\b/g }, // GitLab
  { pattern: /\bnpm_[A-Za-z0-9]{36}\b/g }, // npm
  { pattern: /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g },
];
/** `Authorization: Bearer x`: keep the scheme, replace the credentials. */
const AUTH_HEADER = /\b(bearer|basic|token)(\s+)()([A-Za-z0-9._~+/=-]{16,})/gi;
/** `token=x`, `"password": "x"`: keep the name, replace the value. */
const ASSIGNED =
  /\b((?:access_|auth_|api_|refresh_|bot_)?token|api[_-]?key|password|passwd|secret|client_secret)(["']?\s*[:=]\s*)(["']?)([^\s"',;&()[\]{}<>]{8,})\3/gi;
/** `scheme://user:password@host`: keep the user and host. */
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/[^\s/:@]+):([^\s/@]+)@/gi;

export interface RedactorOptions {
  /** The environment whose secret-named variables are redacted by value (default: none). */
  env?: Record<string, string | undefined>;
  /** Further secret values, e.g. an instance's generated tokens. */
  secrets?: Iterable<string | undefined>;
}

export type Redactor = ((text: string) => string) & {
  /** Every string inside a JSON-like value, redacted; the shape is kept. */
  deep<T>(value: T): T;
  /** How many secret values it knows (for tests and `doctor`-style reports; never the values). */
  readonly knownSecrets: number;
};

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function secretValuesOf(env: Record<string, string | undefined>): string[] {
  return Object.entries(env)
    .filter(([name, value]) => SECRET_NAME.test(name) && value !== undefined)
    .map(([, value]) => value as string);
}

export function createRedactor(options: RedactorOptions = {}): Redactor {
  const values = new Set<string>();
  for (const v of [...secretValuesOf(options.env ?? {}), ...(options.secrets ?? [])]) {
    if (v === undefined) continue;
    const trimmed = v.trim();
    if (trimmed.length >= MIN_SECRET_LENGTH) values.add(trimmed);
  }
  // Longest first, so a secret that contains another is replaced whole.
  const byValue =
    values.size > 0
      ? new RegExp(
          [...values]
            .sort((a, b) => b.length - a.length)
            .map(escapeRegExp)
            .join('|'),
          'g',
        )
      : null;

  const redact = ((text: string): string => {
    let out = byValue ? text.replace(byValue, REDACTED) : text;
    for (const { pattern } of TOKEN_PATTERNS) out = out.replace(pattern, REDACTED);
    const keepName = (m: string, name: string, sep: string, quote: string, value: string) =>
      value.startsWith(REDACTED) ? m : `${name}${sep}${quote}${REDACTED}${quote}`;
    out = out.replace(AUTH_HEADER, keepName).replace(ASSIGNED, keepName);
    out = out.replace(URL_CREDENTIALS, (_m, head: string) => `${head}:${REDACTED}@`);
    return out;
  }) as Redactor;

  const deep = <T>(value: T): T => {
    if (typeof value === 'string') return redact(value) as T;
    if (Array.isArray(value)) return value.map((v) => deep(v)) as T;
    if (value !== null && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = deep(v);
      return out as T;
    }
    return value;
  };
  Object.defineProperty(redact, 'deep', { value: deep });
  Object.defineProperty(redact, 'knownSecrets', { get: () => values.size });
  return redact;
}
