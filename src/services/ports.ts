/**
 * Is a port free? Bind it on 127.0.0.1 and on ::1 (when this host has IPv6 loopback), the way a
 * service will, and close at once. A connect probe would miss a socket bound but not yet listening
 * and say nothing about the other family.
 */
import { createServer } from 'node:net';

let ipv6: Promise<boolean> | undefined;

function tryListen(port: number, host: string): Promise<NodeJS.ErrnoException | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (e: NodeJS.ErrnoException) => resolve(e));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(undefined)));
  });
}

/** Whether ::1 can be bound here (containers often have no IPv6 loopback). Memoized. */
export function hasIpv6Loopback(): Promise<boolean> {
  ipv6 ??= tryListen(0, '::1').then((e) => e === undefined);
  return ipv6;
}

export async function loopbackHosts(): Promise<string[]> {
  return (await hasIpv6Loopback()) ? ['127.0.0.1', '::1'] : ['127.0.0.1'];
}

/** True when `port` can be bound on every loopback family. */
export async function portFree(port: number): Promise<boolean> {
  for (const host of await loopbackHosts()) {
    const e = await tryListen(port, host);
    if (e) return false;
  }
  return true;
}

/** Wait until every port is free (the process that held them is reaped), up to `timeoutMs`. Returns the ones still bound. */
export async function waitPortsFree(ports: number[], timeoutMs: number): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  let delay = 5;
  for (;;) {
    const busy: number[] = [];
    for (const p of ports) if (!(await portFree(p))) busy.push(p);
    if (busy.length === 0 || Date.now() >= deadline) return busy;
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(100, Math.ceil(delay * 1.5));
  }
}
