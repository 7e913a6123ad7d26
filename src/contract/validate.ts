/**
 * Stage 2: plain data → `FactoryYaml`, checked against the generated JSON Schema with ajv.
 *
 * ajv reports every failing branch of every `anyOf`; shown raw that is a wall of noise. Because each
 * `anyOf` in ./schema.ts has branches of different JSON types, we keep only the errors of the branch
 * whose type matches the value (or say "must be a string or a list" when none does), then turn each
 * error into one located diagnostic with a hint.
 */
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { Diagnostic } from '../lib/failure.js';
import generatedValidator from './generated/factory-yaml-validator.js';
import type { FactoryYaml } from './schema.js';
import { dotted, type DataPath, type YamlSource } from './source.js';
import { suggest } from '../lib/suggest.js';

/**
 * The validator is compiled ahead of time from ./schema.ts (src/schema-files.ts, `npm run schema`;
 * the drift test keeps it current), with ajv options `allErrors` and `verbose` (errors carry the
 * offending value and their schema, which the pruning below needs).
 */
const validator = (): ValidateFunction => generatedValidator as unknown as ValidateFunction;

export function validateShape(data: unknown, source: YamlSource): { value?: FactoryYaml; diagnostics: Diagnostic[] } {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    return {
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
  const validate = validator();
  if (validate(data)) return { value: data as FactoryYaml, diagnostics: [] };
  const errors = pruneBranches(validate.errors ?? []);
  const seen = new Set<string>();
  const diagnostics: Diagnostic[] = [];
  for (const e of errors) {
    const d = toDiagnostic(e, source);
    const key = `${d.line}:${d.column}:${d.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      diagnostics.push(d);
    }
  }
  diagnostics.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
  return { diagnostics };
}

function jsonType(v: unknown): string {
  if (v === null || v === undefined) return 'empty';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return 'a string';
  if (typeof v === 'number') return Number.isInteger(v) ? 'an integer' : 'a number';
  return `a ${typeof v}`;
}

interface SchemaLike {
  type?: string | string[];
  anyOf?: SchemaLike[];
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, unknown>;
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

function describeSchemaType(schema: SchemaLike): string {
  const t = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (t) {
    case 'array':
      return 'a list';
    case 'object':
      return 'a mapping';
    case 'integer':
      return 'an integer';
    case 'number':
      return 'a number';
    case 'string':
      return 'a string';
    case 'boolean':
      return 'true or false';
    case 'null':
      return 'empty';
    default:
      return 'a value';
  }
}

/** Keep only the errors of the `anyOf` branch matching the value's type (see the module comment). */
function pruneBranches(errors: ErrorObject[]): ErrorObject[] {
  let result = errors;
  const anyOfs = errors.filter((e) => e.keyword === 'anyOf').sort((a, b) => a.schemaPath.length - b.schemaPath.length);
  for (const a of anyOfs) {
    if (!result.includes(a)) continue;
    const branches = ((a.parentSchema as SchemaLike | undefined)?.anyOf ?? []) as SchemaLike[];
    const match = branches.findIndex((b) => schemaAccepts(b, a.data));
    const prefix = `${a.schemaPath.slice(0, -'/anyOf'.length)}/anyOf/`;
    const under = (path: string) => path === a.instancePath || path.startsWith(`${a.instancePath}/`);
    const inBranch = (e: ErrorObject) => e.schemaPath.startsWith(prefix) && under(e.instancePath);
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
  return result;
}

function joinOr(items: string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

function pathOf(instancePath: string): (string | number)[] {
  if (instancePath === '') return [];
  return instancePath
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

function toDiagnostic(e: ErrorObject, source: YamlSource): Diagnostic {
  const path: DataPath = pathOf(e.instancePath);
  const where = dotted(path);
  const schema = (e.parentSchema ?? {}) as SchemaLike;
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String((e.params as { additionalProperty: string }).additionalProperty);
      const known = Object.keys(schema.properties ?? {}).filter((k) => k !== '$schema');
      const best = suggest(key, known);
      const near = best !== undefined;
      return source.diagnostic(
        {
          code: 'unknown-key',
          message: `unknown key "${key}"${path.length ? ` in ${where}` : ''}`,
          hint: near ? `did you mean "${best}"?` : `known keys: ${known.join(', ')}`,
        },
        [...path, key],
        true,
      );
    }
    case 'required': {
      const missing = String((e.params as { missingProperty: string }).missingProperty);
      return source.diagnostic(
        {
          code: 'missing-key',
          message: `${where === '(top level)' ? 'the contract' : where} is missing required key "${missing}"`,
          hint: `add "${missing}:"`,
        },
        path,
      );
    }
    case 'type': {
      const message =
        e.message?.startsWith('must be') && e.message.includes(', not ')
          ? e.message
          : `must be ${describeSchemaType(schema)}, not ${jsonType(e.data)}`;
      return source.diagnostic({ code: 'wrong-type', message: `${where} ${message}`, hint: typeHint(path) }, path);
    }
    case 'enum': {
      const allowed = (schema.enum ?? []).map(String);
      const best = typeof e.data === 'string' ? suggest(e.data, allowed) : undefined;
      return source.diagnostic(
        {
          code: 'invalid-value',
          message: `${where} must be one of ${allowed.map((a) => `"${a}"`).join(', ')}, not ${JSON.stringify(e.data)}`,
          ...(best !== undefined ? { hint: `did you mean "${best}"?` } : {}),
        },
        path,
      );
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum': {
      const { comparison, limit } = e.params as { comparison: string; limit: number };
      return source.diagnostic(
        { code: 'out-of-range', message: `${where} must be ${comparison} ${limit}, not ${String(e.data)}` },
        path,
      );
    }
    case 'minLength':
      return source.diagnostic({ code: 'invalid-value', message: `${where} must not be empty` }, path);
    case 'minItems':
      return source.diagnostic({ code: 'invalid-value', message: `${where} must not be an empty list` }, path);
    case 'pattern':
      return source.diagnostic(
        {
          code: 'invalid-value',
          message: `${where} has an invalid value ${JSON.stringify(e.data)}`,
          hint: patternHint(path),
        },
        path,
      );
    default:
      return source.diagnostic({ code: 'invalid-value', message: `${where} ${e.message ?? 'is invalid'}` }, path);
  }
}

const DURATION_KEYS = new Set([
  'interval',
  'timeout',
  'start_period',
  'startup_timeout',
  'stop_grace_period',
  'backoff',
]);

function patternHint(path: DataPath): string | undefined {
  const last = path[path.length - 1];
  if (typeof last === 'string' && DURATION_KEYS.has(last))
    return 'write a duration like "150ms", "5s", "2m", or a number of seconds';
  if (last === 'status') return 'write a status like 200 or a range like "200-399"';
  if (last === 'tcp') return 'write a port name (tcp: web), a number (tcp: 5432) or a template (tcp: ${WEB_PORT})';
  if (last === 'stop_signal') return 'write a signal name like SIGTERM or SIGINT';
  if (last === 'docker_project_prefix') return 'use lowercase letters, digits, "_" and "-"';
  return undefined;
}

function typeHint(path: DataPath): string | undefined {
  const last = path[path.length - 1];
  const isCommandItem = typeof last === 'number' && (path[0] === 'tests' || path[path.length - 2] === 'commands');
  if (last === 'command' || last === 'run' || isCommandItem)
    return 'write a shell line as a string, or an argument list like [node, server.js]';
  if (path.length === 2 && path[0] === 'services')
    return 'give the service a command, e.g. "api: { command: node server.js }"';
  if (last === 'depends_on') return 'write a list of service names ([db]), or a mapping name: condition';
  if (typeof last === 'string' && DURATION_KEYS.has(last))
    return 'write a duration like "150ms", "5s", "2m", or a number of seconds';
  return undefined;
}
