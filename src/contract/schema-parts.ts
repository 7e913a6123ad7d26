/**
 * Building blocks of the contract's schema (./schema.ts): documented leaves, durations, commands,
 * env maps. Every property gets `doc(…)`: a description naming its default, the `default` value
 * where one exists, and `examples`, so an editor's hover and completion explain the key.
 *
 * Keys that take several JSON types (a duration is a number or a string) are one schema with a
 * type list, not an `anyOf`: the YAML language server then reports the real problem ("a duration
 * like 5s") instead of the first branch's type ("Expected number"), and ajv reports one error.
 */
import { Type } from '@sinclair/typebox';
import { ENV_NAME_PATTERN, NOT_RESERVED_PATTERN, RESERVED_VARIABLES } from './names.js';

export const closed = { additionalProperties: false } as const;

export interface DocOptions {
  /** The default as JSON (also written as the `default` keyword). */
  default?: unknown;
  /** The default in words, when it is not one JSON value ("the service's name", "none"). */
  defaultText?: string;
  examples: unknown[];
}

/** Description (with its default), `default` and `examples` for one property. */
export function doc(text: string, o: DocOptions): { description: string; default?: unknown; examples: unknown[] } {
  const shown = o.defaultText ?? (typeof o.default === 'string' ? o.default : JSON.stringify(o.default));
  return {
    description: `${text}\n\nDefault: ${shown}.`,
    ...(o.default !== undefined ? { default: o.default } : {}),
    examples: o.examples,
  };
}

/** For required keys. */
export function required(text: string, examples: unknown[]): { description: string; examples: unknown[] } {
  return { description: `${text}\n\nRequired.`, examples };
}

/** One of a few strings, as a JSON Schema `enum` (one clear error instead of one per literal). */
export function StringEnum<const T extends readonly string[]>(values: T, options: object = {}) {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });
}

export const DURATION_PATTERN = '^\\s*\\d+(\\.\\d+)?\\s*(ms|s|m|h)\\s*$';
const DURATION_WORDS = 'a duration: "150ms", "5s", "2m", "1h", or a number of seconds (at most 86400)';

/** "150ms", "5s", "2m", "1h", or a number of seconds. */
export function Duration(text: string, o: DocOptions) {
  return Type.Unsafe<number | string>({
    type: ['number', 'string'],
    minimum: 0,
    maximum: 86_400,
    pattern: DURATION_PATTERN,
    errorMessage: DURATION_WORDS,
    ...doc(`${text} Written as ${DURATION_WORDS}.`, o),
  });
}

const COMMAND_WORDS = 'a command: a shell line (a string), or a list of arguments run without a shell';

/** A shell line (string, run with `sh -c`) or an argument vector (list, no shell). */
export function CommandField(text: string, o: DocOptions) {
  return Type.Union(
    [
      Type.String({ minLength: 1, errorMessage: `${COMMAND_WORDS}; not empty` }),
      Type.Array(Type.String(), {
        minItems: 1,
        errorMessage: `${COMMAND_WORDS}; not an empty list`,
      }),
    ],
    doc(`${text} A shell line runs as \`sh -c <line>\`; a list runs without a shell.`, o),
  );
}

/** A string that may hold `${NAME}` references (resolved per instance). */
export function TemplateString(text: string, o: DocOptions) {
  return Type.String({ minLength: 1, ...doc(`${text} May use \${NAME} variables.`, o) });
}

/** Keys of every env map: variable names factory does not set itself. */
const ENV_KEYS = {
  allOf: [
    {
      pattern: ENV_NAME_PATTERN,
      patternErrorMessage: 'a variable name: letters, digits and "_", not starting with a digit',
    },
    {
      pattern: NOT_RESERVED_PATTERN,
      patternErrorMessage: `set by factory, so it cannot be set in env (${RESERVED_VARIABLES.join(', ')})`,
    },
  ],
};

export function EnvMap(text: string, examples: unknown[]) {
  return Type.Record(
    Type.String(),
    Type.Unsafe<string | number | boolean>({
      type: ['string', 'number', 'boolean'],
      errorMessage: 'a value: a string (may use ${NAME}), a number or true/false',
      description: 'A value; strings may use ${NAME} variables (ports, built-ins, other env keys).',
    }),
    {
      propertyNames: ENV_KEYS,
      ...doc(`${text} Keys are variable names; values may reference \${NAME}.`, { default: {}, examples }),
    },
  );
}

/** A list of strings (globs, names, paths). */
export function StringList(text: string, o: DocOptions, items: object = {}) {
  return Type.Array(Type.String({ minLength: 1, ...items }), doc(text, o));
}
