/**
 * One attempt of a check, bounded by the check's timeout. No external binaries (curl, nc):
 * Node's http client and sockets, so a check costs a syscall or two, not a process.
 * (`log` checks are not probed: they are driven by output lines, see ./readiness.ts.)
 */
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { connect } from 'node:net';
import { loopbackHosts } from '../ports.js';
import type { ProbeResult, ResolvedCheck } from './types.js';

async function httpProbe(url: string, status: [number, number], timeoutMs: number): Promise<ProbeResult> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return { ok: false, detail: `invalid url ${url}` };
  }
  // node:https (TLS) is loaded only for https checks: it costs the supervisor's boot ~15 ms.
  const send = u.protocol === 'https:' ? (await import('node:https')).request : request;
  return new Promise((resolve) => {
    const req = send(u, { method: 'GET', timeout: timeoutMs, agent: false, rejectUnauthorized: false }, (res) => {
      res.resume();
      const code = res.statusCode ?? 0;
      resolve({ ok: code >= status[0] && code <= status[1], detail: `HTTP ${code}` });
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ ok: false, detail: e.code ?? e.message }));
    req.end();
  });
}

function tcpOnce(host: string, port: number, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const sock = connect({ host, port });
    const timer = setTimeout(() => {
      sock.destroy();
      resolve({ ok: false, detail: `${host}: timeout` });
    }, timeoutMs);
    sock.once('connect', () => {
      clearTimeout(timer);
      sock.destroy();
      resolve({ ok: true, detail: `connected to ${host}:${port}` });
    });
    sock.once('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ ok: false, detail: `${host}: ${e.code ?? e.message}` });
    });
  });
}

/**
 * Ready when any loopback family accepts (a service may listen on 127.0.0.1 only, or ::1 only): the
 * first family that accepts decides at once, without waiting for the other's answer.
 */
export async function tcpProbe(hosts: string[], port: number, timeoutMs: number): Promise<ProbeResult> {
  const targets = hosts.length ? hosts : await loopbackHosts();
  const attempts = targets.map((h) => tcpOnce(h, port, timeoutMs));
  const first = await Promise.any(attempts.map((a) => a.then((r) => (r.ok ? r : Promise.reject(r))))).catch(
    () => undefined,
  );
  if (first) return first;
  const results = await Promise.all(attempts);
  return { ok: false, detail: results.map((r) => r.detail).join('; ') };
}

function commandProbe(c: Extract<ResolvedCheck, { kind: 'command' }>): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const child = spawn(c.file, c.args, { cwd: c.cwd, env: c.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const keep = (d: Buffer) => {
      out = (out + d.toString()).slice(-500);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => {
      try {
        process.kill(-(child.pid as number), 'SIGKILL');
      } catch {
        // already gone
      }
    }, c.timeoutMs);
    child.once('error', (e) => {
      clearTimeout(timer);
      resolve({ ok: false, detail: e.message });
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      const last = out.trim().split('\n').pop() ?? '';
      if (signal) resolve({ ok: false, detail: `killed after ${c.timeoutMs} ms timeout` });
      else resolve({ ok: code === 0, detail: `exit ${code}${last ? `: ${last}` : ''}` });
    });
  });
}

export function probe(c: ResolvedCheck): Promise<ProbeResult> {
  switch (c.kind) {
    case 'http':
      return httpProbe(c.url, c.status, c.timeoutMs);
    case 'tcp':
      return tcpProbe(c.hosts, c.port, c.timeoutMs);
    case 'command':
      return commandProbe(c);
    case 'log':
      return Promise.resolve({ ok: false, detail: 'waiting for a matching line' });
  }
}
