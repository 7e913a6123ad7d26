/**
 * The dashboard token: what a bind beyond loopback checks on every request. Generated once (32
 * random bytes, base64url), stored in the machine state dir with mode 600 and printed only when it
 * was created; a token file others can read is refused rather than trusted. Browsers carry it as an
 * HttpOnly cookie that a login link sets (the cookie holds an HMAC of the token, not the token).
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ExitCode, FactoryFailure } from '../lib/failure.js';
import { machineStateDir } from '../services/index.js';

export interface ServeToken {
  token: string;
  path: string;
  /** true when this call generated it (the one time it is printed). */
  created: boolean;
}

export function tokenPath(env: NodeJS.ProcessEnv): string {
  return join(machineStateDir(env), 'serve-token');
}

export function loadOrCreateToken(env: NodeJS.ProcessEnv): ServeToken {
  const path = tokenPath(env);
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  try {
    // 'wx': only if it does not exist, created with mode 600 in the same call (no window where it is readable).
    const fd = openSync(path, 'wx', 0o600);
    const token = randomBytes(32).toString('base64url');
    try {
      writeSync(fd, `${token}\n`);
    } finally {
      closeSync(fd);
    }
    return { token, path, created: true };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const mode = statSync(path).mode & 0o777;
  if (mode & 0o077)
    throw new FactoryFailure(
      'token-file-open',
      `the dashboard token file ${path} is readable by others (mode ${mode.toString(8)})`,
      {
        exitCode: ExitCode.unavailable,
        hint: `chmod 600 ${path}, or remove it to get a new token`,
      },
    );
  const token = readFileSync(path, 'utf8').trim();
  if (!/^[A-Za-z0-9_-]{32,}$/.test(token))
    throw new FactoryFailure('token-file-invalid', `the dashboard token file ${path} holds no token`, {
      exitCode: ExitCode.unavailable,
      hint: `remove ${path} to get a new token`,
    });
  return { token, path, created: false };
}

export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** What the login cookie holds. */
export function cookieValue(token: string): string {
  return createHmac('sha256', token).update('factory-serve-cookie').digest('base64url');
}
