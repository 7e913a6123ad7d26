/**
 * Stage 3: `FactoryYaml` (as written, already shape-checked) → `Contract` (one form per concept,
 * defaults filled), recording origins and template uses for the rules (./rules/).
 *
 * Problems found here are about one value's form (a health check with two kinds, a scenario step
 * with no action); problems between values are rules.
 */
import { isAbsolute, resolve } from 'node:path';
import type { Diagnostic } from '../lib/failure.js';
import { DEFAULTS, parseDuration } from './defaults.js';
import type { Draft, Origins, TemplateUse } from './draft.js';
import { readEnvFile } from './interpolate.js';
import { flowYaml } from './validate-messages.js';
import { assignOwnedPorts, declaredPorts, portsFromReferences } from './normalize-ports.js';
import type { CommandYaml, FactoryYaml } from './schema.js';
import { normalizeService } from './normalize-service.js';
import { normalizeTests, normalizeValidation } from './normalize-checks.js';
import type { Pruned } from './repair.js';
import { normalizeJobs } from './normalize-jobs.js';
import type { DataPath, YamlSource } from './source.js';
import type { Command, EnvFileRef, SetupStep, Template } from './types.js';

/** Collects diagnostics and template uses while normalizing. */
export class Normalizer {
  readonly diagnostics: Diagnostic[] = [];
  readonly templates: TemplateUse[] = [];
  readonly origins: Origins = {
    services: {},
    dependsOn: {},
    portRefs: {},
    ports: {},
    portDecls: [],
    needs: [],
    envKeys: [],
    inferredPorts: new Set(),
    portsWritten: false,
  };
  constructor(readonly source: YamlSource) {}

  error(code: string, message: string, path: DataPath, hint?: string, key = false): void {
    this.diagnostics.push(this.source.diagnostic({ code, message, ...(hint ? { hint } : {}) }, path, key));
  }

  warn(code: string, message: string, path: DataPath, hint?: string): void {
    this.diagnostics.push(
      this.source.diagnostic({ code, message, severity: 'warning', ...(hint ? { hint } : {}) }, path),
    );
  }

  /** Record a template use and return it unchanged. */
  template(value: string, path: DataPath, scope: readonly string[] = []): Template {
    this.templates.push({ path, value, shell: false, scope });
    return value;
  }

  command(c: CommandYaml, path: DataPath, scope: readonly string[] = []): Command {
    if (typeof c === 'string') {
      this.templates.push({ path, value: c, shell: true, scope });
      return { kind: 'shell', line: c };
    }
    return { kind: 'argv', argv: c.map((a, i) => this.template(a, [...path, i], scope)) };
  }

  /** Normalize an env map: values become strings; keys are recorded for the env-name rules. */
  env(
    map: Record<string, string | number | boolean> | undefined,
    path: DataPath,
    label: string,
    scope: readonly string[] = [],
  ): Record<string, Template> {
    const out: Record<string, Template> = {};
    for (const [key, raw] of Object.entries(map ?? {})) {
      const value = String(raw);
      this.origins.envKeys.push({ map: label, key, path: [...path, key] });
      this.templates.push({ path: [...path, key], value, shell: false, scope, envKey: { map: label, key } });
      out[key] = value;
    }
    return out;
  }

  duration(v: number | string | undefined, fallback: number): number {
    return v === undefined ? fallback : parseDuration(v);
  }
}

export function normalize(
  y: FactoryYaml,
  opts: { file: string; root: string; source: YamlSource; env: NodeJS.ProcessEnv; pruned: Pruned },
): {
  draft: Draft;
  diagnostics: Diagnostic[];
} {
  const n = new Normalizer(opts.source);
  const ports = declaredPorts(n, y);
  n.origins.portsWritten = y.ports !== undefined;
  const envFiles = normalizeEnvFiles(y);
  const envFileNames = new Set<string>();
  envFiles.forEach((ref, i) => {
    const values = readEnvFile(isAbsolute(ref.path) ? ref.path : resolve(opts.root, ref.path));
    const path =
      typeof y.env_file === 'string' || (y.env_file && !Array.isArray(y.env_file)) ? ['env_file'] : ['env_file', i];
    if (values === undefined) {
      if (ref.required)
        n.warn(
          'env-file-missing',
          `env_file ${ref.path} does not exist (yet)`,
          path,
          `a setup step may create it; if it is optional, write "${flowYaml({ path: ref.path, required: false })}" in its place`,
        );
    } else for (const k of Object.keys(values)) envFileNames.add(k);
  });

  const env = n.env(y.env, ['env'], 'contract');
  const setup = (y.setup ?? []).map((s, i) => normalizeSetupStep(n, s, i));
  const portCount = Math.max(0, ...ports.map((p) => p.offset + 1));
  const contract: Draft['contract'] = {
    name: y.name,
    file: opts.file,
    root: opts.root,
    runtime: y.runtime?.package_manager ? { packageManager: y.runtime.package_manager } : {},
    setup,
    env,
    envFiles,
    isolation: {
      strategy: y.isolation?.strategy ?? 'git-worktree',
      portBlockSize: y.isolation?.port_range_size ?? Math.max(DEFAULTS.minPortBlock, portCount),
      composeProjectPrefix: y.isolation?.docker_project_prefix ?? defaultPrefix(y.name),
    },
    ports,
    services: {},
    startOrder: [],
    tests: {},
    artifacts: { collect: Array.isArray(y.artifacts) ? y.artifacts : (y.artifacts?.collect ?? []) },
  };
  const awaited = completionTargets(y);
  for (const [name, s] of Object.entries(y.services ?? {})) {
    contract.services[name] = normalizeService(n, name, s, awaited.has(name));
  }
  contract.tests = normalizeTests(n, y);
  const validation = normalizeValidation(n, y, Object.keys(contract.services));
  if (validation) contract.validation = validation;
  const jobs = normalizeJobs(n, y, Object.keys(contract.tests));
  if (jobs) contract.jobs = jobs;
  if (y.ports === undefined) {
    const defined = new Set(n.origins.envKeys.map((k) => k.key));
    contract.ports = portsFromReferences(n, n.templates, defined);
    if (y.isolation?.port_range_size === undefined)
      contract.isolation.portBlockSize = Math.max(DEFAULTS.minPortBlock, contract.ports.length);
  }
  assignOwnedPorts(n, contract.services, contract.ports);
  return {
    draft: {
      contract,
      origins: n.origins,
      templates: n.templates,
      envFileNames,
      processEnv: opts.env,
      source: opts.source,
      pruned: opts.pruned,
    },
    diagnostics: n.diagnostics,
  };
}

/** Services some `depends_on` waits for with the written condition `completed`. */
function completionTargets(y: FactoryYaml): Set<string> {
  const out = new Set<string>();
  for (const s of Object.values(y.services ?? {})) {
    if (!s.depends_on || Array.isArray(s.depends_on)) continue;
    for (const [dep, c] of Object.entries(s.depends_on))
      if ((typeof c === 'string' ? c : c.condition) === 'completed') out.add(dep);
  }
  return out;
}

/** A compose project prefix from the project name: lowercase, `[a-z0-9_-]`. */
function defaultPrefix(name: string): string {
  const p = name
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '_')
    .replace(/^[^a-z0-9]+/, '');
  return p || 'factory';
}

function normalizeEnvFiles(y: FactoryYaml): EnvFileRef[] {
  const f = y.env_file;
  if (f === undefined) return [];
  const list = Array.isArray(f) ? f : [f];
  return list.map((e) =>
    typeof e === 'string' ? { path: e, required: true } : { path: e.path, required: e.required ?? true },
  );
}

function normalizeSetupStep(n: Normalizer, s: NonNullable<FactoryYaml['setup']>[number], i: number): SetupStep {
  const path: DataPath = ['setup', i];
  if (typeof s === 'string') {
    return {
      name: defaultStepName(i, s),
      command: n.command(s, path),
      cwd: '.',
      env: {},
      inputs: [],
      outputs: [],
      timeoutMs: DEFAULTS.setupTimeoutMs,
      source: n.source.location(path),
    };
  }
  const env = n.env(s.env, [...path, 'env'], `setup[${i}]`);
  const scope = Object.keys(env);
  return {
    name: s.name ?? defaultStepName(i, typeof s.run === 'string' ? s.run : s.run.join(' ')),
    command: n.command(s.run, [...path, 'run'], scope),
    cwd: s.cwd === undefined ? '.' : n.template(s.cwd, [...path, 'cwd'], scope),
    env,
    inputs: s.inputs ?? [],
    outputs: s.outputs ?? [],
    timeoutMs: n.duration(s.timeout, DEFAULTS.setupTimeoutMs),
    source: n.source.location(path),
  };
}

/** "1-bun" for `bun install` as the first step. */
function defaultStepName(i: number, line: string): string {
  const word = (line.trim().split(/\s+/)[0] ?? '')
    .replace(/^.*\//, '')
    .toLowerCase()
    .replace(/[^a-z0-9_-]/g, '');
  return word ? `${i + 1}-${word}` : String(i + 1);
}

export type { CommandYaml };
