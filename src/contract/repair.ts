/**
 * Every problem of a file in one run: after the schema errors, the rules still check what is
 * valid. This makes a copy of the data the schema accepts by taking out each invalid part, so the
 * normalizer and the rules can run on the rest, and remembers what it took out so nothing is
 * reported twice or as a consequence of the removal (./compile.ts filters, rules ask `Pruned`).
 *
 * An invalid value is removed at the nearest mapping key above it (a bad `depends_on[0]` removes
 * `depends_on`); an entry of a named map (a service, a suite, an env key, a port) is replaced by a
 * valid stand-in instead, so references to its name still resolve. Errors about a name's spelling
 * (a service called `My Api`) change nothing the rules read, so they leave the data as it is.
 */
import type { ErrorObject } from 'ajv';
import type { Diagnostic } from '../lib/failure.js';
import { ENV_NAME_PATTERN, NAME_PATTERN, NOT_RESERVED_PATTERN } from './names.js';
import type { FactoryYaml } from './schema.js';
import type { DataPath, YamlSource } from './source.js';
import { pathOf, schemaErrors } from './validate.js';

/** Passes of validate → remove; each pass removes at least one part, real files need one or two. */
const MAX_PASSES = 10;

/** What was taken out, by data path. */
export class Pruned {
  constructor(readonly paths: readonly DataPath[] = []) {}

  /** `path`, or a part above it, was removed (so what it said is unknown). */
  has(path: DataPath): boolean {
    return this.paths.some((p) => p.length <= path.length && p.every((seg, i) => String(seg) === String(path[i])));
  }

  /** Something at or under `path` was removed. */
  touches(path: DataPath): boolean {
    return this.paths.some((p) => path.every((seg, i) => String(seg) === String(p[i])));
  }

  get empty(): boolean {
    return this.paths.length === 0;
  }
}

export function repair(data: object, first: ErrorObject[]): { value: FactoryYaml; pruned: Pruned } | undefined {
  // A deep copy without shared references: YAML aliases may hand out one object twice.
  const copy = JSON.parse(JSON.stringify(data)) as Record<string, unknown>;
  const paths: DataPath[] = [];
  let errors = first;
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const harmful = errors.filter((e) => !spellingOnly(e));
    if (harmful.length === 0) return { value: copy as unknown as FactoryYaml, pruned: new Pruned(paths) };
    for (const e of harmful) {
      const path = removePath(e);
      if (path.length === 0) {
        if (e.keyword !== 'required') return undefined;
        copy[String((e.params as { missingProperty: string }).missingProperty)] = 'factory';
        continue;
      }
      if (remove(copy, path)) paths.push(path);
    }
    errors = schemaErrors(copy);
  }
  return undefined;
}

/** A name that breaks a pattern: nothing the rules read depends on its spelling. */
function spellingOnly(e: ErrorObject): boolean {
  return (
    e.keyword === 'pattern' &&
    (e.schema === NAME_PATTERN || e.schema === ENV_NAME_PATTERN || e.schema === NOT_RESERVED_PATTERN)
  );
}

/**
 * The data path to take out for one error: up to the nearest mapping key, or a list item that has
 * a stand-in (so one bad scenario does not hide the others).
 */
function removePath(e: ErrorObject): DataPath {
  const path = pathOf(e.instancePath);
  if (e.keyword === 'additionalProperties')
    path.push(String((e.params as { additionalProperty: string }).additionalProperty));
  else if (e.keyword === 'dependencies') path.push(String((e.params as { property: string }).property));
  while (path.length > 0 && typeof path[path.length - 1] === 'number' && standIn(path) === undefined) path.pop();
  return path;
}

/** A valid value for an entry of a named map or a list item, or undefined when it is removed. */
function standIn(path: DataPath): unknown {
  const parent = path.slice(0, -1);
  const last = parent[parent.length - 1];
  const index = path[path.length - 1];
  if (typeof index === 'number') {
    const list = parent.join('.');
    if (list === 'setup') return 'true';
    if (list === 'validation.scenarios') return { name: `(invalid ${index})`, start_url: '/', steps: [] };
    if (last === 'steps') return { screenshot: `invalid-${index}` };
    if (list === 'env_file') return { path: '.factory/(invalid)', required: false };
    if (parent.length === 2 && parent[0] === 'tests') return 'true';
    return undefined;
  }
  if (parent.length === 1 && parent[0] === 'services') return { type: 'compose' };
  if (parent.length === 1 && parent[0] === 'tests') return ['true'];
  if (parent.length === 1 && parent[0] === 'ports') return null;
  if (last === 'env') return '';
  if (last === 'depends_on') return 'started';
  return undefined;
}

function remove(root: Record<string, unknown>, path: DataPath): boolean {
  let node: unknown = root;
  for (const seg of path.slice(0, -1)) {
    if (node === null || typeof node !== 'object') return false;
    node = (node as Record<string, unknown>)[seg];
  }
  const key = path[path.length - 1] as string | number;
  if (node === null || typeof node !== 'object' || !(key in node)) return false;
  const map = node as Record<string | number, unknown>;
  const value = standIn(path);
  if (value !== undefined && JSON.stringify(map[key]) !== JSON.stringify(value)) map[key] = value;
  else if (Array.isArray(map)) return false;
  else delete map[key];
  return true;
}

/**
 * Diagnostics of the later stages that are about a removed part (it was reported by the schema),
 * or that only follow from a removal.
 */
export function afterRepair(diagnostics: Diagnostic[], pruned: Pruned, source: YamlSource): Diagnostic[] {
  if (pruned.empty) return diagnostics;
  const ranges = pruned.paths.map((p) => source.range(p));
  return diagnostics.filter((d) => {
    if (d.line === undefined || d.column === undefined) return true;
    const offset = source.offset(d.line, d.column);
    if (ranges.some(([start, end]) => offset >= start && offset < end)) return false;
    if (d.code === 'missing-start-url' && pruned.touches(['validation', 'browser'])) return false;
    return true;
  });
}
