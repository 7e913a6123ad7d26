/**
 * Stage 2: plain data → `FactoryYaml`, checked against the generated JSON Schema with ajv.
 *
 * ajv reports every failing branch of every `anyOf`; shown raw that is a wall of noise. Because each
 * `anyOf` of alternatives in ./schema.ts has branches of different JSON types, we keep only the
 * errors of the branch whose type matches the value (or say "must be a string or a list" when none
 * does). An `anyOf` of `required` alternatives and the `dependencies` of ./one-of.ts become one
 * "needs one of" / "takes exactly one of" error each. ./validate-messages.ts turns each remaining
 * error into one located diagnostic with a hint.
 */
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { Diagnostic } from '../lib/failure.js';
import generatedValidator from './generated/factory-yaml-validator.js';
import type { FactoryYaml } from './schema.js';
import type { YamlSource } from './source.js';
import { suggest } from '../lib/suggest.js';
import { describeSchemaType, jsonType, joinOr, pathOf, type SchemaLike, toDiagnostic } from './validate-messages.js';

/**
 * The validator is compiled ahead of time from ./schema.ts (src/schema-files.ts, `npm run schema`;
 * the drift test keeps it current), with ajv options `allErrors` and `verbose` (errors carry the
 * offending value and their schema, which the pruning below needs).
 */
const validator = (): ValidateFunction => generatedValidator as unknown as ValidateFunction;

export interface ShapeResult {
  value?: FactoryYaml;
  diagnostics: Diagnostic[];
  /** The errors behind the diagnostics, for ./repair.ts (which keeps checking what is still valid). */
  errors: ErrorObject[];
}

export function validateShape(data: unknown, source: YamlSource): ShapeResult {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    return {
      errors: [],
      diagnostics: [
        source.diagnostic(
          {
            code: 'wrong-type',
            message: `the contract must be a mapping of keys (name:, services:, …), not ${jsonType(data)}`,
            hint: 'run "factory init" to write a starter contract',
          },
          [],
        ),
      ],
    };
  }
  const errors = schemaErrors(data);
  if (errors.length === 0) return { value: data as FactoryYaml, diagnostics: [], errors };
  const seen = new Set<string>();
  const diagnostics: Diagnostic[] = [];
  for (const e of errors) {
    const d = toDiagnostic(e, source, data);
    const key = `${d.line}:${d.column}:${d.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      diagnostics.push(d);
    }
  }
  diagnostics.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
  return { diagnostics, errors };
}

/** The schema's errors for `data`, pruned to one per problem (empty = valid). */
export function schemaErrors(data: unknown): ErrorObject[] {
  const validate = validator();
  if (validate(data)) return [];
  // `propertyNames` and `if` errors only summarize the errors under them.
  const errors = pruneBranches(validate.errors ?? []).filter(
    (e) => e.keyword !== 'propertyNames' && e.keyword !== 'if',
  );
  return withoutTypoEchoes(errors);
}

/**
 * `comand: x` is an unknown key ("did you mean command?") and, because of it, a missing `command`:
 * one mistake, reported once, by the unknown key.
 */
function withoutTypoEchoes(errors: ErrorObject[]): ErrorObject[] {
  const meant = errors.flatMap((e) => {
    if (e.keyword !== 'additionalProperties') return [];
    const known = Object.keys((e.parentSchema as SchemaLike | undefined)?.properties ?? {});
    const best = suggest(String((e.params as { additionalProperty: string }).additionalProperty), known);
    return best === undefined ? [] : [{ at: e.instancePath, key: best }];
  });
  const echoes = (e: ErrorObject, keys: readonly string[]) =>
    meant.some((m) => m.at === e.instancePath && keys.includes(m.key));
  return errors.filter((e) => {
    if (e.keyword === 'required')
      return !echoes(e, [String((e.params as { missingProperty: string }).missingProperty)]);
    if (e.keyword === 'requiredOneOf') return !echoes(e, (e.params as { keys: string[] }).keys);
    return true;
  });
}

function schemaAccepts(schema: SchemaLike, value: unknown): boolean {
  const t = schema.type;
  if (t === undefined) return true;
  const types = Array.isArray(t) ? t : [t];
  return types.some((ty) => {
    switch (ty) {
      case 'null':
        return value === null;
      case 'array':
        return Array.isArray(value);
      case 'object':
        return value !== null && typeof value === 'object' && !Array.isArray(value);
      case 'integer':
      case 'number':
        return typeof value === 'number';
      default:
        return typeof value === ty;
    }
  });
}

/** `anyOf: [{required: [a]}, {required: [b]}]`: "at least one of a, b" (./one-of.ts). */
function requiredAlternatives(branches: SchemaLike[]): string[] | undefined {
  const keys = branches.map((b) => (b.type === undefined && b.required?.length === 1 ? b.required[0] : undefined));
  return keys.every((k): k is string => k !== undefined) && keys.length > 0 ? keys : undefined;
}

/** Keep only the errors of the `anyOf` branch matching the value's type (see the module comment). */
function pruneBranches(errors: ErrorObject[]): ErrorObject[] {
  let result = errors;
  const anyOfs = errors.filter((e) => e.keyword === 'anyOf').sort((a, b) => a.schemaPath.length - b.schemaPath.length);
  for (const a of anyOfs) {
    if (!result.includes(a)) continue;
    const branches = ((a.parentSchema as SchemaLike | undefined)?.anyOf ?? []) as SchemaLike[];
    const prefix = `${a.schemaPath.slice(0, -'/anyOf'.length)}/anyOf/`;
    const under = (path: string) => path === a.instancePath || path.startsWith(`${a.instancePath}/`);
    const inBranch = (e: ErrorObject) => e.schemaPath.startsWith(prefix) && under(e.instancePath);
    const keys = requiredAlternatives(branches);
    if (keys) {
      const missing: ErrorObject = { ...a, keyword: 'requiredOneOf', params: { keys } };
      result = result.filter((e) => !inBranch(e) && e !== a).concat(missing);
      continue;
    }
    const match = branches.findIndex((b) => schemaAccepts(b, a.data));
    if (match < 0) {
      const kinds = [...new Set(branches.map(describeSchemaType))];
      const summary: ErrorObject = {
        ...a,
        keyword: 'type',
        params: { type: kinds.join(' or ') },
        message: `must be ${joinOr(kinds)}, not ${jsonType(a.data)}`,
      };
      result = result.filter((e) => !inBranch(e) && e !== a).concat(summary);
    } else {
      const keep = `${prefix}${match}/`;
      result = result.filter((e) => e !== a && (!inBranch(e) || e.schemaPath.startsWith(keep)));
    }
  }
  return mergeExclusive(result);
}

/**
 * The `dependencies` of ./one-of.ts fail once per pair of present keys (`http` forbids `tcp`, `tcp`
 * forbids `http`); make that one `exclusive` error at the object, naming every present key.
 */
function mergeExclusive(errors: ErrorObject[]): ErrorObject[] {
  const byObject = new Map<string, { first: ErrorObject; keys: Set<string> }>();
  const out: ErrorObject[] = [];
  for (const e of errors) {
    const m = /\/dependencies\/([^/]+)\/properties\/([^/]+)\/false schema$/.exec(e.schemaPath);
    if (e.keyword === 'false schema' && !m) {
      const c = /\/(then|else)\/.*properties\/([^/]+)\/false schema$/.exec(e.schemaPath);
      out.push(c ? { ...e, keyword: 'composeKey', params: { key: c[2] } } : e);
      continue;
    }
    if (e.keyword !== 'false schema' || !m) {
      out.push(e);
      continue;
    }
    const objectPath = e.instancePath.slice(0, e.instancePath.lastIndexOf('/'));
    const entry = byObject.get(objectPath) ?? { first: e, keys: new Set<string>() };
    entry.keys.add(decodeURIComponent(m[1] as string)).add(decodeURIComponent(m[2] as string));
    byObject.set(objectPath, entry);
  }
  for (const [objectPath, { first, keys }] of byObject) {
    out.push({ ...first, keyword: 'exclusive', instancePath: objectPath, params: { keys: [...keys] } });
  }
  return out;
}

export { pathOf };
