/**
 * One ajv error (already pruned by ./validate.ts) → one located diagnostic: a stable code, a
 * message naming the place (`services.api.port`), and a hint that is itself valid where it
 * proposes text.
 */
import type { ErrorObject } from 'ajv';
import type { Diagnostic } from '../lib/failure.js';
import { stringify } from 'yaml';
import { ENV_NAME_PATTERN, NAME_PATTERN, NOT_RESERVED_PATTERN, suggestName, suggestVariable } from './names.js';
import { exclusiveHint, exclusiveMessage, groupOf, groupWith, missingHint, missingMessage } from './one-of.js';
import { dotted, type DataPath, type YamlSource } from './source.js';
import { suggest } from '../lib/suggest.js';

export interface SchemaLike {
  type?: string | string[];
  anyOf?: SchemaLike[];
  enum?: unknown[];
  const?: unknown;
  required?: string[];
  properties?: Record<string, unknown>;
}

/** A value as one line of YAML (flow style), as a hint writes it. */
export function flowYaml(v: unknown): string {
  return stringify(v, { collectionStyle: 'flow', lineWidth: 0 }).trim();
}

export function jsonType(v: unknown): string {
  if (v === null || v === undefined) return 'empty';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return 'a string';
  if (typeof v === 'number') return Number.isInteger(v) ? 'an integer' : 'a number';
  return `a ${typeof v}`;
}

const TYPE_WORDS: Record<string, string> = {
  array: 'a list',
  object: 'a mapping',
  integer: 'an integer',
  number: 'a number',
  string: 'a string',
  boolean: 'true or false',
  null: 'empty',
};

export function describeSchemaType(schema: SchemaLike): string {
  const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
  if (types.length === 0) return 'a value';
  return joinOr(types.map((t) => TYPE_WORDS[t] ?? 'a value'));
}

export function joinOr(items: string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

export function pathOf(instancePath: string): (string | number)[] {
  if (instancePath === '') return [];
  return instancePath
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

function valueAt(data: unknown, path: DataPath): unknown {
  let v = data;
  for (const seg of path) v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[seg] : undefined;
  return v;
}

const NAME_RULE = 'use lowercase letters, digits, "_" and "-", starting with a letter or digit';
/** Pairs of `dependencies` (key → key it needs) and how to say it. */
const NEEDS: Record<string, string> = { status: 'http checks', host: 'tcp checks' };

export function toDiagnostic(e: ErrorObject, source: YamlSource, data: unknown): Diagnostic {
  const path: DataPath = pathOf(e.instancePath);
  const where = dotted(path);
  const schema = (e.parentSchema ?? {}) as SchemaLike;
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String((e.params as { additionalProperty: string }).additionalProperty);
      const known = Object.keys(schema.properties ?? {}).filter((k) => k !== '$schema');
      const best = suggest(key, known);
      return source.diagnostic(
        {
          code: 'unknown-key',
          message: `unknown key "${key}"${path.length ? ` in ${where}` : ''}`,
          hint: best !== undefined ? `did you mean "${best}"?` : `known keys: ${known.join(', ')}`,
        },
        [...path, key],
        true,
      );
    }
    case 'required': {
      const missing = String((e.params as { missingProperty: string }).missingProperty);
      const example = (schema.properties?.[missing] as { examples?: unknown[] } | undefined)?.examples?.[0];
      if (missing === 'command' && path.length === 2 && path[0] === 'services')
        return source.diagnostic(
          {
            code: 'missing-command',
            message: `service "${path[1]}" has no command`,
            hint: 'add a command, e.g. "command: npm start", or "type: compose" for a docker compose service',
          },
          path,
          true,
        );
      return source.diagnostic(
        {
          code: 'missing-key',
          message: `${where === '(top level)' ? 'the contract' : where} is missing required key "${missing}"`,
          hint: example === undefined ? `add "${missing}:"` : `add it, e.g. "${missing}: ${flowYaml(example)}"`,
        },
        path,
      );
    }
    case 'requiredOneOf': {
      const g = groupOf((e.params as { keys: string[] }).keys);
      if (!g) break;
      return source.diagnostic({ code: g.code, message: missingMessage(g), hint: missingHint(g) }, path);
    }
    case 'exclusive': {
      const keys = (e.params as { keys: string[] }).keys;
      const g = groupWith(keys[0] as string, keys[1] as string);
      if (!g) break;
      const object = valueAt(data, path);
      const present = Object.keys(object !== null && typeof object === 'object' ? object : {}).filter((k) =>
        keys.includes(k),
      );
      return source.diagnostic(
        {
          code: g.code,
          message: exclusiveMessage(g, present),
          hint: exclusiveHint(present),
        },
        path,
      );
    }
    case 'composeKey': {
      const key = String((e.params as { key: string }).key);
      const service = String(path[1]);
      const at = [...path.slice(0, -1), key];
      return key === 'command'
        ? source.diagnostic(
            {
              code: 'compose-with-command',
              message: `service "${service}" is a compose service and cannot have a command`,
              hint: 'remove "command", or remove "type: compose" to run it as a process',
            },
            at,
          )
        : source.diagnostic(
            {
              code: 'compose-key-on-process',
              message: `"${key}" applies only to compose services`,
              hint: 'remove it (it applies with "type: compose", which takes no command)',
            },
            at,
            true,
          );
    }
    case 'dependencies': {
      const { property, missingProperty } = e.params as { property: string; missingProperty: string };
      return source.diagnostic(
        {
          code: 'healthcheck-kind',
          message: `"${property}" applies only to ${NEEDS[property] ?? `objects with "${missingProperty}"`}`,
        },
        [...path, property],
        true,
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
      return e.propertyName !== undefined
        ? keyPattern(e, path, e.propertyName, source)
        : valuePattern(e, path, where, source);
  }
  return source.diagnostic({ code: 'invalid-value', message: `${where} ${e.message ?? 'is invalid'}` }, path);
}

/** A map key that breaks a name rule (services, ports, env maps). */
function keyPattern(e: ErrorObject, path: DataPath, key: string, source: YamlSource): Diagnostic {
  const at = [...path, key];
  if (e.schema === NAME_PATTERN) {
    const what = path[0] === 'ports' ? 'port' : 'service';
    return source.diagnostic(
      {
        code: 'invalid-name',
        message: `invalid ${what} name "${key}": ${NAME_RULE}`,
        hint: `rename it, e.g. "${suggestName(key)}"`,
      },
      at,
      true,
    );
  }
  if (e.schema === NOT_RESERVED_PATTERN)
    return source.diagnostic(
      {
        code: 'reserved-variable',
        message: `${key} is set by factory (a built-in) and cannot be set in env`,
        hint: `rename it, e.g. "${suggestVariable(key, true)}"`,
      },
      at,
      true,
    );
  if (e.schema === ENV_NAME_PATTERN)
    return source.diagnostic(
      {
        code: 'invalid-name',
        message: `invalid variable name "${key}": use letters, digits and "_", not starting with a digit`,
        hint: `rename it, e.g. "${suggestVariable(key)}"`,
      },
      at,
      true,
    );
  return source.diagnostic({ code: 'invalid-name', message: `invalid key "${key}" in ${dotted(path)}` }, at, true);
}

function valuePattern(e: ErrorObject, path: DataPath, where: string, source: YamlSource): Diagnostic {
  const last = path[path.length - 1];
  const isPortName = path[0] === 'ports' || last === 'port' || path[path.length - 2] === 'ports';
  if (e.schema === NAME_PATTERN && isPortName && typeof e.data === 'string')
    return source.diagnostic(
      {
        code: 'invalid-name',
        message: `invalid port name "${e.data}": ${NAME_RULE}`,
        hint: `rename it, e.g. "${suggestName(e.data)}"`,
      },
      path,
    );
  if (last === 'stop_signal')
    return source.diagnostic(
      {
        code: 'invalid-value',
        message: `${where}: unknown signal ${JSON.stringify(e.data)}`,
        hint: 'use a signal name, e.g. "SIGTERM" (or SIGINT, SIGQUIT, …)',
      },
      path,
    );
  return source.diagnostic(
    {
      code: 'invalid-value',
      message: `${where} has an invalid value ${JSON.stringify(e.data)}`,
      hint: patternHint(path, e.data),
    },
    path,
  );
}

const DURATION_KEYS = new Set([
  'interval',
  'timeout',
  'start_period',
  'startup_timeout',
  'stop_grace_period',
  'backoff',
]);
const DURATION_HINT = 'write a duration, e.g. "5s" (or "150ms", "2m", "1h", or a number of seconds)';

function patternHint(path: DataPath, value: unknown): string | undefined {
  const last = path[path.length - 1];
  if (typeof last === 'string' && DURATION_KEYS.has(last)) return DURATION_HINT;
  if (last === 'status') return 'write a status or an inclusive range, e.g. "200-399" (or 204)';
  if (last === 'tcp') return 'write a port name, a number or a template, e.g. "5432" (or web, "${WEB_PORT}")';
  if (last === 'docker_project_prefix')
    return `use lowercase letters, digits, "_" and "-", e.g. "${suggestName(String(value))}"`;
  return undefined;
}

function typeHint(path: DataPath): string | undefined {
  const last = path[path.length - 1];
  const isCommandItem = typeof last === 'number' && (path[0] === 'tests' || path[path.length - 2] === 'commands');
  if (last === 'command' || last === 'run' || isCommandItem)
    return 'write a shell line or a list of arguments, e.g. "node server.js" (or [node, server.js])';
  if (path.length === 2 && path[0] === 'services') return 'write it as a mapping, e.g. "{ command: node server.js }"';
  if (last === 'depends_on') return 'write a list of service names ([db]), or a mapping name: condition';
  if (typeof last === 'string' && DURATION_KEYS.has(last)) return DURATION_HINT;
  return undefined;
}
