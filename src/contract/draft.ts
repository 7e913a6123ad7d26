/**
 * What the normalizer hands the rules: the normalized `Contract` plus where each part came from
 * (data paths into factory.yaml), so a rule can point at the exact entry whatever form it was
 * written in (a `depends_on` list item or a map key, a `port:` or a `ports:` entry).
 */
import type { Diagnostic } from '../lib/failure.js';
import type { Pruned } from './repair.js';
import type { DataPath, YamlSource } from './source.js';
import type { Contract } from './types.js';

/** A string factory will interpolate (or, for shell lines, check) and the names visible there. */
export interface TemplateUse {
  path: DataPath;
  value: string;
  /** A shell line: only `${NAME}` references are checked, nothing is rewritten. */
  shell: boolean;
  /** Names visible here besides the contract-wide ones (a service's or step's own env, SERVICE_NAME). */
  scope: readonly string[];
  /** When the template is an env value: its map and key (sibling keys resolve, a self-reference means the layer below). */
  envKey?: { map: 'contract' | string; key: string };
}

export interface DependencyOrigin {
  service: string;
  path: DataPath;
  /** The condition was written, not defaulted (only written conditions can be wrong). */
  explicit: boolean;
}

export interface Origins {
  services: Record<string, DataPath>;
  /** Per service: each dependency entry, in order (parallel to `dependsOn`). */
  dependsOn: Record<string, DependencyOrigin[]>;
  /** Per service: each written port reference (`port:` / `ports:` / `healthcheck.tcp`). */
  portRefs: Record<string, { port: string; path: DataPath }[]>;
  /** Per port: where it was declared (first declaration). */
  ports: Record<string, DataPath>;
  /** Every port declaration in order, duplicates included. */
  portDecls: { name: string; offset: number; path: DataPath }[];
  /** `needs:` entries of test suites and scenarios. */
  needs: { service: string; path: DataPath }[];
  /** Env keys per map ('contract' or a service/step/suite label) with their paths. */
  envKeys: { map: string; key: string; path: DataPath }[];
  /** Service names whose ports were inferred from their url/health check. */
  inferredPorts: Set<string>;
  /** The file has a `ports:` key (else its `${NAME_PORT}` references declare the ports). */
  portsWritten: boolean;
}

export interface Draft {
  contract: Contract;
  origins: Origins;
  templates: TemplateUse[];
  /** Values of env files that exist now (for compile-time reference checks). */
  envFileNames: Set<string>;
  processEnv: NodeJS.ProcessEnv;
  source: YamlSource;
  /** Parts of the file the schema rejected and ./repair.ts took out: rules say nothing that depends on them. */
  pruned: Pruned;
}

/** One cross-field check. Rules are pure: they read the draft and return diagnostics. */
export interface Rule {
  name: string;
  check(draft: Draft): Diagnostic[];
}
