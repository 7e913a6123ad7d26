/**
 * The environment a setup step runs with.
 *
 * Setup runs before an instance has started, often before it has leased ports, and it may be what
 * creates an env_file (diffie's `.dev.vars`). So it gets the instance environment as far as it can
 * be known: the process environment, env_file values that exist, built-ins (WORKTREE_ID,
 * FACTORY_STATE_DIR …), port variables when the instance holds a lease, and every contract `env`
 * entry whose references are all defined. An entry that needs a port the instance has not leased
 * yet is left out rather than failing the whole setup; a step that references it fails with the
 * shell's own "unbound variable" or, for an argv step, factory's `unresolved-variable`.
 */
import { builtinVars, portEnvVar, readEnvFile, parseTemplate } from '../contract/light.js';
import type { Contract, Template } from '../contract/index.js';
import { isAbsolute, resolve } from 'node:path';

export interface SetupInstance {
  worktreeId: string;
  stateDir: string;
  /** Leased ports, when the instance has a lease. */
  ports?: Record<string, number>;
}

function stringEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (typeof v === 'string') out[k] = v;
  return out;
}

/** Resolve what can be resolved of an env map; `skipped` lists the keys that could not. */
export function resolveAvailable(
  map: Record<string, Template>,
  base: Record<string, string>,
): { values: Record<string, string>; skipped: string[] } {
  const values: Record<string, string> = {};
  const pending = new Map(Object.entries(map));
  for (let progress = true; progress && pending.size > 0; ) {
    progress = false;
    for (const [key, template] of pending) {
      const { parts, error } = parseTemplate(template);
      if (error) {
        pending.delete(key);
        continue;
      }
      let out = '';
      let ok = true;
      for (const p of parts) {
        if (p.kind === 'text') out += p.text;
        else {
          // A self-reference means the layer below; a sibling must be resolved first.
          const v = p.name !== key && map[p.name] !== undefined ? values[p.name] : base[p.name];
          if (v === undefined) {
            ok = false;
            break;
          }
          out += v;
        }
      }
      if (ok) {
        values[key] = out;
        pending.delete(key);
        progress = true;
      }
    }
  }
  return { values, skipped: [...pending.keys()] };
}

export function setupEnv(
  contract: Contract,
  instance: SetupInstance,
  processEnv: NodeJS.ProcessEnv = process.env,
): { env: Record<string, string>; skipped: string[] } {
  const lower = stringEnv(processEnv);
  for (const ref of contract.envFiles) {
    const values = readEnvFile(isAbsolute(ref.path) ? ref.path : resolve(contract.root, ref.path));
    if (values) Object.assign(lower, values);
  }
  const fixed: Record<string, string> = {};
  for (const p of contract.ports) {
    const port = instance.ports?.[p.name];
    if (port !== undefined) fixed[portEnvVar(p.name)] = String(port);
  }
  Object.assign(
    fixed,
    builtinVars(contract, {
      worktreeId: instance.worktreeId,
      stateDir: instance.stateDir,
      ports: instance.ports ?? {},
      processEnv,
    }),
  );
  const { values, skipped } = resolveAvailable(contract.env, { ...lower, ...fixed });
  return { env: { ...lower, ...values, ...fixed }, skipped };
}
