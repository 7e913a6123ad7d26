/**
 * Entry point of the detached supervisor process: `node dist/services/supervisor-main.js <plan.json>`.
 * Spawned by `start` (./start.ts) with stdio to logs/supervisor.log. It reads the plan (and deletes
 * it: it holds the caller's environment), serves the control socket, starts the services, and
 * exits by itself — after a failed startup (everything stopped first), or after `stop` / SIGTERM /
 * SIGINT. It never calls process.exit: it closes what it opened and lets the event loop end.
 */
import { readFileSync, rmSync } from 'node:fs';
import type { InstancePlan } from './plan.js';
import { identityOf } from './proc.js';
import { closeServer, serve } from './socket.js';
import { Supervisor } from './supervisor.js';

const SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;

async function main(): Promise<void> {
  const planFile = process.argv[2];
  if (!planFile) throw new Error('usage: supervisor-main <plan.json>');
  const { plan, timeoutMs } = JSON.parse(readFileSync(planFile, 'utf8')) as { plan: InstancePlan; timeoutMs?: number };
  rmSync(planFile, { force: true });
  const sup = new Supervisor(plan, { foreground: false, ...(timeoutMs !== undefined ? { timeoutMs } : {}) });
  const server = await serve(plan.socket, {
    state: () => sup.state,
    stop: () => shutdown(),
    restart: (service) => sup.restartService(service),
    subscribe: (fn) => sup.on(fn),
  });
  const stopAll = sup.stop.bind(sup);
  let closing = false;
  const shutdown = async () => {
    await stopAll();
    if (closing) return;
    closing = true;
    // Let 'stopped' and the stop replies flush, then close every handle so the process ends.
    setTimeout(() => {
      closeServer(server);
      rmSync(plan.socket, { force: true });
      for (const sig of SIGNALS) process.removeAllListeners(sig);
    }, 50);
    server.unref();
  };
  for (const sig of SIGNALS) process.on(sig, () => void shutdown());
  // Every way of stopping (socket `stop`, failed startup, signals) ends in shutdown.
  sup.stop = () => shutdown();
  sup.start();
  // The lease belongs to whoever keeps the ports in use: this process from now on. Loaded lazily
  // and off the boot path (services are already starting).
  const self = identityOf(process.pid);
  if (self) {
    const { setLeaseOwner } = await import('./leases.js');
    await setLeaseOwner({ root: plan.root, worktreeId: plan.worktreeId }, self);
  }
  const ok = await sup.startup;
  if (!ok) {
    process.exitCode = 1;
    await sup.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`supervisor: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 70;
});
