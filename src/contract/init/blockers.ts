/**
 * Would the contract `factory init` wrote start on this machine? What can be known without running
 * anything: the package manager the setup step and the scripts run, and the programs Procfile lines
 * start, must be on PATH. (Compose services also need a compose tool and an engine: the `init`
 * command asks the runtime's preflight, which runs them.)
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import type { Detected } from './detect.js';

export interface Blocker {
  code: string;
  message: string;
  hint: string;
}

const INSTALL: Record<string, string> = {
  pnpm: '`corepack enable pnpm` (corepack ships with Node), or `npm install -g pnpm`',
  yarn: '`corepack enable yarn` (corepack ships with Node), or `npm install -g yarn`',
  bun: 'install bun (https://bun.sh), or switch the commands to npm',
  npm: 'install Node.js with npm (`sudo apt-get install nodejs npm`)',
};

/** `program` as the shell would find it: a path (relative to `cwd`), or a name on PATH. */
export function onPath(program: string, env: NodeJS.ProcessEnv, cwd: string): boolean {
  const candidates = program.includes('/')
    ? [isAbsolute(program) ? program : resolve(cwd, program)]
    : (env.PATH ?? '')
        .split(delimiter)
        .filter(Boolean)
        .map((d) => join(d, program));
  return candidates.some((c) => {
    try {
      accessSync(c, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** The program a shell line starts, when it is a plain one (not `cd x && …`, `VAR=1 cmd`, a builtin). */
function programOf(line: string): string | undefined {
  const word = line.trim().split(/\s+/)[0] ?? '';
  if (word === '' || /[=$`'"(){}|&;<>]/.test(word)) return undefined;
  return ['cd', 'exec', 'env', 'export', 'test', '[', 'true', 'false', 'echo'].includes(word) ? undefined : word;
}

export function startBlockers(dir: string, d: Detected, env: NodeJS.ProcessEnv): Blocker[] {
  const out: Blocker[] = [];
  const pm = d.packageManager;
  if (d.hasPackageJson && pm && !onPath(pm, env, dir)) {
    out.push({
      code: 'missing-program',
      message: `${pm} is not installed here, and the setup step and the services run it`,
      hint: `install it: ${INSTALL[pm] ?? pm}`,
    });
  }
  for (const p of d.procfile) {
    const program = programOf(p.command);
    if (program === undefined || program === pm || onPath(program, env, dir)) continue;
    out.push({
      code: 'missing-program',
      message: `the Procfile's ${p.name} runs ${program}, which is not installed here (not on PATH)`,
      hint: `install ${program}, or change the command of service "${p.name}" in factory.yaml`,
    });
  }
  return out;
}
