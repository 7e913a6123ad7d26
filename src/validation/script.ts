/**
 * Script scenarios: for what declarative steps cannot say. A module default-exports
 *
 *   export default async ({ page, urls, env, step, screenshot }) => { … }
 *
 * `.mjs`/`.js` load with Node's own import(). `.ts`/`.mts` load through tsx's `tsImport` API, which
 * compiles in memory for this one import without registering a global loader in the factory
 * process (docs/adr/0031). tsx is looked up lazily so JavaScript scenarios never need it.
 */
import { existsSync } from 'node:fs';
import { extname, isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { ExitCode, FactoryFailure } from '../lib/failure.js';

/** What a scenario script receives. */
export interface ScenarioScriptContext {
  page: Page;
  /** The instance's service URLs by service name. */
  urls: Record<string, string>;
  /** The instance's environment (ports, worktree id, contract variables). */
  env: Record<string, string>;
  /** Record a named step with timing (and a failure screenshot if `fn` throws). */
  step: <T>(name: string, fn: () => Promise<T>) => Promise<T>;
  /** Save a screenshot named `name` into the run's evidence. */
  screenshot: (name: string, options?: { fullPage?: boolean }) => Promise<string>;
}

export type ScenarioScript = (ctx: ScenarioScriptContext) => Promise<void>;

const JS = new Set(['.mjs', '.js', '.cjs']);
const TS = new Set(['.ts', '.mts', '.cts']);

export async function loadScenarioScript(root: string, path: string): Promise<ScenarioScript> {
  const file = isAbsolute(path) ? path : resolve(root, path);
  const ext = extname(file);
  if (!existsSync(file)) {
    throw new FactoryFailure('scenario-script-missing', `scenario script ${path} does not exist (looked at ${file})`, {
      exitCode: ExitCode.invalid,
    });
  }
  let mod: { default?: unknown };
  if (JS.has(ext)) {
    mod = (await import(pathToFileURL(file).href)) as { default?: unknown };
  } else if (TS.has(ext)) {
    let tsImport: (specifier: string, parent: string) => Promise<unknown>;
    try {
      ({ tsImport } = (await import('tsx/esm/api')) as { tsImport: typeof tsImport });
    } catch {
      throw new FactoryFailure(
        'scenario-script-typescript',
        `scenario script ${path} is TypeScript, and tsx is not installed to load it`,
        {
          exitCode: ExitCode.unavailable,
          hint: 'npm i -D tsx, or write the scenario as .mjs',
        },
      );
    }
    mod = (await tsImport(pathToFileURL(file).href, import.meta.url)) as { default?: unknown };
  } else {
    throw new FactoryFailure(
      'scenario-script-kind',
      `scenario script ${path} must be .mjs, .js or .ts (got "${ext || 'no extension'}")`,
      {
        exitCode: ExitCode.invalid,
      },
    );
  }
  // A .ts file compiled as CommonJS arrives as { default: { default: fn } }.
  let fn = mod.default;
  if (typeof fn === 'object' && fn !== null && typeof (fn as { default?: unknown }).default === 'function') {
    fn = (fn as { default: unknown }).default;
  }
  if (typeof fn !== 'function') {
    throw new FactoryFailure(
      'scenario-script-export',
      `scenario script ${path} must default-export an async function ({ page, urls, env, step }) => {}`,
      {
        exitCode: ExitCode.invalid,
      },
    );
  }
  return fn as ScenarioScript;
}
