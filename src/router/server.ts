/**
 * `factory router`: one reverse proxy on loopback for every instance on this machine, HTTP and
 * WebSocket (http-proxy-3, ADR 0091). docs/router.md.
 *
 *   request ─▶ Host → routes (./routes.ts) ─┬─ known, running ─▶ proxy to the service's port
 *                                           ├─ known, stopped ─▶ 502 page (how to start it)
 *                                           └─ unknown ───────▶ 404 page listing the instances
 *
 * Requests pass through unchanged — method, path and query, headers including Host — plus the
 * X-Forwarded-For/-Port/-Proto/-Host headers. While it runs, `<machine state>/router.json` says
 * so (pid, start time, port) and `router.heartbeat` is touched, so that `status`/`urls` print
 * stable URLs; both are removed when it stops.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { createProxyServer } from 'http-proxy-3';
import { ExitCode, FactoryFailure } from '../lib/failure.js';
import { DEFAULT_ROUTER_PORT, readRouter, registerRouter, type RouterState } from '../services/index.js';
import { badGatewayPage, listingPage } from './pages.js';
import { normalizeHost, type Route, Routes } from './routes.js';

export interface RouterOptions {
  /** Default 8088. */
  port?: number;
  env?: NodeJS.ProcessEnv;
}

export interface RunningRouter {
  port: number;
  state: RouterState;
  close(): Promise<void>;
}

const HOSTS = ['127.0.0.1', '::1'] as const;

function send(res: ServerResponse, status: number, html: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(html);
}

/** A running instance's route first; several running under one hostname: the first (documented). */
const pick = (routes: Route[]) => routes.find((r) => r.instance.running) ?? routes[0];

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host, exclusive: true }, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

export async function startRouter(opts: RouterOptions = {}): Promise<RunningRouter> {
  const env = opts.env ?? process.env;
  const port = opts.port ?? DEFAULT_ROUTER_PORT;
  const running = readRouter(env);
  if (running) {
    throw new FactoryFailure('router-running', `a router already runs on port ${running.port} (pid ${running.pid})`, {
      exitCode: ExitCode.unavailable,
      hint: `use it (http://localhost:${running.port}/), or stop it first: kill ${running.pid}`,
    });
  }
  const routes = new Routes(env);
  const proxy = createProxyServer({ xfwd: true, ws: true });
  proxy.on('error', (err, req, res) => {
    routes.refresh();
    const route = pick(routes.lookup(req.headers.host));
    if (res instanceof Socket) {
      res.destroy();
      return;
    }
    if (!route) send(res, 502, listingPage(routes.all(), port, normalizeHost(req.headers.host)));
    else
      send(
        res,
        502,
        badGatewayPage(
          route,
          route.instance.running ? 'unreachable' : 'stopped',
          (err as NodeJS.ErrnoException).code ?? err.message,
        ),
      );
  });

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    const host = normalizeHost(req.headers.host);
    const route = pick(routes.lookup(req.headers.host));
    if (!route) {
      const bare = host === 'localhost' || host === '127.0.0.1' || host === '[::1]' || host === '';
      send(res, bare ? 200 : 404, listingPage(routes.all(), port, bare ? undefined : host));
      return;
    }
    if (!route.instance.running) {
      send(res, 502, badGatewayPage(route, 'stopped', route.instance.phase));
      return;
    }
    proxy.web(req, res, { target: route.target });
  };
  const onUpgrade = (req: IncomingMessage, socket: Socket, head: Buffer) => {
    socket.on('error', () => undefined);
    const route = pick(routes.lookup(req.headers.host));
    if (!route?.instance.running) {
      socket.end(`HTTP/1.1 ${route ? '502 Bad Gateway' : '404 Not Found'}\r\nconnection: close\r\n\r\n`);
      return;
    }
    proxy.ws(req, socket, head, { target: route.target });
  };

  const servers: Server[] = [];
  for (const host of HOSTS) {
    const server = createServer(onRequest);
    server.on('upgrade', onUpgrade);
    server.on('clientError', (_e, socket) => socket.destroy());
    try {
      await listen(server, port, host);
      servers.push(server);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // No IPv6 loopback here: IPv4 alone serves browsers (they fall back to 127.0.0.1).
      if (host === '::1' && (code === 'EADDRNOTAVAIL' || code === 'EAFNOSUPPORT')) continue;
      for (const s of servers) s.close();
      if (code === 'EADDRINUSE')
        throw new FactoryFailure('port-in-use', `port ${port} is in use on ${host}`, {
          exitCode: ExitCode.unavailable,
          hint: 'pick another with --port, or stop what listens there',
        });
      if (code === 'EACCES')
        throw new FactoryFailure('port-not-allowed', `this user may not listen on port ${port}`, {
          exitCode: ExitCode.unavailable,
          hint: 'ports below 1024 need root (or CAP_NET_BIND_SERVICE); use --port 8088',
        });
      throw e;
    }
  }

  const { state, unregister } = registerRouter(port, env);
  let closing: Promise<void> | undefined;
  return {
    port,
    state,
    close: () => {
      closing ??= (async () => {
        unregister();
        proxy.close();
        await Promise.all(
          servers.map(
            (s) =>
              new Promise<void>((resolve) => {
                s.close(() => resolve());
                s.closeAllConnections();
              }),
          ),
        );
      })();
      return closing;
    },
  };
}
