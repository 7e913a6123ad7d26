/**
 * What `factory serve` listens on and how it is reached: the host (loopback by default), the port,
 * and the public URL a reverse proxy or a tunnel serves it under (the stable links of review pages
 * use it). A bind to anything but loopback needs the token (./token.ts); that is decided here.
 */
import { isIP } from 'node:net';
import { ExitCode, FactoryFailure } from '../lib/failure.js';

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 8090;

export interface ServeOptions {
  host?: string;
  /** 0 = any free port. */
  port?: number;
  /** e.g. https://factory.example.com — absolute links and the allowed origin use it. */
  publicUrl?: string;
  env?: NodeJS.ProcessEnv;
}

export interface ResolvedServeOptions {
  host: string;
  port: number;
  publicUrl: URL | null;
  /** Loopback binds answer without a token; every other bind checks it on every request. */
  loopback: boolean;
  env: NodeJS.ProcessEnv;
}

const HOSTNAME =
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/**
 * The binds that answer without a token: the loopback addresses everyone means (127.0.0.1, ::1,
 * localhost). Any other address — also another 127.x address, which containers and port forwarders
 * can route to — needs the token (docs/adr/0141).
 */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || h === '127.0.0.1';
}

function usage(message: string, hint: string): FactoryFailure {
  return new FactoryFailure('usage', message, { exitCode: ExitCode.invalid, hint });
}

export function resolveServeOptions(o: ServeOptions = {}): ResolvedServeOptions {
  const host = o.host ?? DEFAULT_HOST;
  if (!(isIP(host.replace(/^\[|\]$/g, '')) || HOSTNAME.test(host)))
    throw usage(`--host expects an IP address or a host name, got "${host}"`, 'for example --host 127.0.0.1');
  const port = o.port ?? DEFAULT_PORT;
  if (!(Number.isInteger(port) && port >= 0 && port <= 65_535))
    throw usage(`--port expects a port number (0–65535), got "${port}"`, `for example --port ${DEFAULT_PORT}`);
  let publicUrl: URL | null = null;
  if (o.publicUrl !== undefined) {
    try {
      publicUrl = new URL(o.publicUrl);
    } catch {
      publicUrl = null;
    }
    if (!publicUrl || !/^https?:$/.test(publicUrl.protocol) || publicUrl.username || publicUrl.password)
      throw usage(
        `--public-url expects an http(s) URL without credentials, got "${o.publicUrl}"`,
        'for example --public-url https://factory.example.com',
      );
    publicUrl.pathname = publicUrl.pathname.replace(/\/*$/, '/');
    publicUrl.search = '';
    publicUrl.hash = '';
  }
  return { host, port, publicUrl, loopback: isLoopbackHost(host), env: o.env ?? process.env };
}
