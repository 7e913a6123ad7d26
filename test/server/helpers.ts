/**
 * A real `factory serve` for tests: the built binary as a child process, its --json line read for
 * the URL, raw HTTP requests that keep the path exactly as written (fetch would normalise `..`),
 * and Chromium through playwright-core.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { CHROMIUM_ARGS } from '../../src/validation/tools.js';
import { FACTORY_BIN, REPO_ROOT } from '../helpers/cli.js';

/** Screenshots of the pages (test artifacts; not committed). */
export const ARTIFACTS = join(REPO_ROOT, 'node_modules', '.cache', 'factory-server-tests');

export interface Served {
  url: string;
  port: number;
  host: string;
  tokenFile: string | null;
  loginUrl: string | null;
  child: ChildProcess;
  output(): string;
  stop(): Promise<number | null>;
}

export async function serve(args: string[], env: Record<string, string>, cwd: string): Promise<Served> {
  const child = spawn(process.execPath, [FACTORY_BIN, 'serve', '--json', ...args], {
    cwd,
    env: { ...process.env, NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr?.on('data', (d) => (err += d));
  const info = await new Promise<Record<string, unknown>>((resolve, reject) => {
    child.stdout?.on('data', (d) => {
      out += d;
      try {
        resolve(JSON.parse(out));
      } catch {
        // not the whole document yet
      }
    });
    child.once('exit', (code) => reject(new Error(`factory serve exited ${code}: ${out}${err}`)));
  });
  const exited = new Promise<number | null>((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
  return {
    url: info.url as string,
    port: info.port as number,
    host: info.host as string,
    tokenFile: info.tokenFile as string | null,
    loginUrl: info.loginUrl as string | null,
    child,
    output: () => out + err,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One HTTP request with `path` sent byte for byte as given. */
export function raw(
  host: string,
  port: number,
  path: string,
  o: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host, port, path, method: o.method ?? 'GET', headers: o.headers ?? {} }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    if (o.body !== undefined) req.write(o.body);
    req.end();
  });
}

export function launchChromium(): Promise<Browser> {
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: [...CHROMIUM_ARGS] });
}
