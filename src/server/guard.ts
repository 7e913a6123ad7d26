/**
 * Who may ask: every request passes here first.
 * - Host (loopback binds, which have no token): only the names the server is reached by (its bind
 *   address, localhost, the public URL's host), so a DNS-rebinding page cannot read a loopback
 *   dashboard through its own name. A bind with a token answers any name, but only with the token.
 * - Token (binds beyond loopback): `Authorization: Bearer <token>` or the HttpOnly cookie the login
 *   link `/login?token=…` sets; anything else is 401.
 * - POST (CSRF): a browser's request must come from the dashboard's own origin (`Origin`, else
 *   `Sec-Fetch-Site`); a bearer header cannot be sent cross-site without a preflight we never allow.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { ExitCode, FactoryFailure } from '../lib/failure.js';
import type { ResolvedServeOptions } from './options.js';
import { cookieValue, sameSecret } from './token.js';

export const COOKIE = 'factory_session';

export interface GuardConfig {
  options: ResolvedServeOptions;
  /** null on loopback without a token. */
  token: string | null;
  /** The port actually bound (known after listen). */
  port: () => number;
}

function allowedHosts(g: GuardConfig): Set<string> {
  const port = g.port();
  const names = new Set([g.options.host, 'localhost', '127.0.0.1', '[::1]']);
  if (g.options.host.includes(':') && !g.options.host.startsWith('[')) names.add(`[${g.options.host}]`);
  const hosts = new Set<string>();
  for (const n of names) hosts.add(`${n}:${port}`.toLowerCase());
  if (g.options.publicUrl) hosts.add(g.options.publicUrl.host.toLowerCase());
  return hosts;
}

function allowedOrigins(g: GuardConfig, host: string): Set<string> {
  // With a token the server is reached by any name; its own page's origin is the request's host.
  const origins = new Set([...allowedHosts(g), ...(g.token !== null ? [host] : [])].map((h) => `http://${h}`));
  if (g.options.publicUrl) origins.add(g.options.publicUrl.origin.toLowerCase());
  return origins;
}

const refuse = (code: string, message: string, hint: string) =>
  new FactoryFailure(code, message, { exitCode: ExitCode.invalid, hint });

export function authorized(c: Context, g: GuardConfig): boolean {
  if (g.token === null) return true;
  const auth = c.req.header('authorization');
  if (auth?.startsWith('Bearer ')) return sameSecret(auth.slice(7).trim(), g.token);
  const cookie = getCookie(c, COOKIE);
  return cookie !== undefined && sameSecret(cookie, cookieValue(g.token));
}

export function guard(g: GuardConfig): MiddlewareHandler {
  return async (c, next) => {
    const host = (c.req.header('host') ?? '').toLowerCase();
    if (g.token === null && !allowedHosts(g).has(host))
      throw refuse(
        'forbidden',
        `this dashboard is not served as "${host}"`,
        'open it by the address factory serve printed',
      );
    if (c.req.path === '/login' && c.req.method === 'GET') return next();
    if (!authorized(c, g))
      throw refuse(
        'unauthorized',
        'this dashboard needs its token',
        'open the login link factory serve printed, or send Authorization: Bearer <token> (the token is in the serve-token file)',
      );
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') {
      const bearer = c.req.header('authorization')?.startsWith('Bearer ') === true;
      const origin = c.req.header('origin');
      const site = c.req.header('sec-fetch-site');
      const sameOrigin =
        origin !== undefined
          ? allowedOrigins(g, host).has(origin.toLowerCase())
          : site === undefined
            ? bearer || g.token === null
            : site === 'same-origin' || site === 'none';
      if (!sameOrigin)
        throw refuse('forbidden', 'a cross-site request cannot act on jobs', 'use the buttons of the dashboard itself');
    }
    return next();
  };
}

/** GET /login?token=…: sets the session cookie and goes to the jobs list (or 401). */
export function login(g: GuardConfig, c: Context): Response {
  if (g.token === null) return c.redirect('/', 303);
  const given = c.req.query('token') ?? '';
  if (!sameSecret(given, g.token))
    throw refuse(
      'unauthorized',
      'that login link holds a wrong token',
      'use the link factory serve printed when it made the token',
    );
  setCookie(c, COOKIE, cookieValue(g.token), {
    httpOnly: true,
    sameSite: 'Strict',
    path: '/',
    secure: g.options.publicUrl?.protocol === 'https:',
  });
  return c.redirect('/', 303);
}
