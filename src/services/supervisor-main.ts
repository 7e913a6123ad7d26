/**
 * Entry point of the detached supervisor process: `node dist/bundle/supervisor-main.js <instance
 * dir>` (the folder only names it in `ps`; everything else comes with the plan).
 * Spawned by `start` (./supervisor-spawn.ts), usually before the CLI has compiled anything: it
 * boots, then reads its plan as JSON on stdin (EOF without one: not needed, it exits). Then it
 * serves the control socket, starts the services, and exits by itself — after a failed startup
 * (everything stopped first), or after `stop` / SIGTERM / SIGINT. It never calls process.exit: it
 * closes what it opened and lets the event loop end. An early spawn's stdio goes nowhere; with
 * the plan it opens logs/supervisor.log and writes its errors and Node's warnings there.
 */
import { appendFileSync, mkdirSync, rmSync } from 'node:fs';
import { instanceFiles } from './paths.js';
import { identityOf } from './proc.js';
import { closeServer, serve } from './socket.js';
import type { Handover } from './supervisor-spawn.js';
import { Supervisor } from './supervisor.js';

const SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;

/** Where errors go: stderr (a classic spawn's is the log), or the log itself once known. */
let report: (text: string) => void = (text) => process.stderr.write(text);

async function readStdin(): Promise<string> {
  let text = '';
  process.stdin.setEncoding('utf8');
  for await (const chunk of process.stdin) text += chunk;
  return text;
}

async function main(): Promise<void> {
  const text = await readStdin();
  if (text.trim() === '') return; // not needed after all (./supervisor-spawn.ts cancel)
  const { plan, timeoutMs, openLog } = JSON.parse(text) as Handover;
  if (plan.stateDir !== process.argv[2]) throw new Error(`a plan for ${plan.stateDir}, not ${process.argv[2]}`);
  if (openLog) {
    const files = instanceFiles(plan.stateDir);
    mkdirSync(files.logs, { recursive: true });
    appendFileSync(files.supervisorLog, ''); // exists from now on, as a classic spawn's does
    report = (line) => appendFileSync(files.supervisorLog, line);
    process.on('uncaughtExceptionMonitor', (error) => report(`supervisor: ${error.stack ?? error.message}\n`));
    process.on('warning', (w) => report(`supervisor: warning: ${w.name}: ${w.message}\n`));
  }
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
  report(`supervisor: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 70;
});
