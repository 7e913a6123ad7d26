/**
 * Objects that take exactly one key of a group (a health check's kind, a step's action, a test
 * suite's `command` or `commands`, …). The group is defined once here: ./schema.ts turns it into
 * draft-07 keywords an editor understands (`anyOf` of `required` for "at least one", `dependencies`
 * with `false` properties for "not two", each with an `errorMessage` the YAML language server
 * shows), and ./validate.ts turns ajv's errors for those keywords back into one located
 * diagnostic with the group's code, message and hint.
 */

export interface OneOfGroup {
  keys: readonly string[];
  /** The diagnostic code `factory check` reports. */
  code: string;
  /** What the object is, as a message starts: "a health check". */
  noun: string;
  /** What one key of the group is ("kind", "action"), when there is a word for it. */
  what?: string;
  /** A key and YAML value to add, for the "needs one of" hint (valid as written). */
  example: readonly [string, string];
}

export const ONE_OF = {
  healthcheck: {
    keys: ['http', 'tcp', 'command', 'log'],
    code: 'healthcheck-kind',
    noun: 'a health check',
    what: 'kind',
    example: ['tcp', '5432'],
  },
  step: {
    keys: ['goto', 'click', 'fill', 'press', 'wait_for', 'expect', 'screenshot'],
    code: 'scenario-step',
    noun: 'a step',
    what: 'action',
    example: ['screenshot', 'home'],
  },
  testSuite: {
    keys: ['command', 'commands'],
    code: 'test-commands',
    noun: 'a test suite',
    example: ['command', 'npm test'],
  },
  scenario: {
    keys: ['steps', 'script'],
    code: 'scenario-steps',
    noun: 'a scenario',
    example: ['steps', '[{ goto: / }, { screenshot: home }]'],
  },
  waitFor: {
    keys: ['text', 'selector'],
    code: 'scenario-step',
    noun: 'wait_for',
    example: ['text', 'Welcome'],
  },
  expect: {
    keys: ['text', 'visible', 'url'],
    code: 'scenario-step',
    noun: 'expect',
    example: ['text', 'Added'],
  },
} as const satisfies Record<string, OneOfGroup>;

const GROUPS: readonly OneOfGroup[] = Object.values(ONE_OF);

function joinOr(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

/** "a health check needs one kind: http, tcp, command or log"; "a scenario needs steps or script". */
export function missingMessage(g: OneOfGroup): string {
  return g.what ? `${g.noun} needs one ${g.what}: ${joinOr(g.keys)}` : `${g.noun} needs ${joinOr(g.keys)}`;
}

export function missingHint(g: OneOfGroup): string {
  return `add one, e.g. "${g.example[0]}: ${g.example[1]}"`;
}

/** "a health check has one kind (http, tcp, command or log), not tcp and log". */
export function exclusiveMessage(g: OneOfGroup, present?: readonly string[]): string {
  const base = g.what ? `${g.noun} has one ${g.what} (${joinOr(g.keys)})` : `${g.noun} takes ${joinOr(g.keys)}`;
  if (!present) return g.what ? base : `${base}, not several`;
  return present.length === 2 && g.keys.length === 2 ? `${base}, not both` : `${base}, not ${present.join(' and ')}`;
}

export function exclusiveHint(present: readonly string[]): string {
  return `keep only one: ${joinOr(present.map((k) => `"${k}"`))}`;
}

/** The group whose keys are exactly `keys` (the "at least one" form). */
export function groupOf(keys: readonly string[]): OneOfGroup | undefined {
  return GROUPS.find((g) => g.keys.length === keys.length && g.keys.every((k) => keys.includes(k)));
}

/** The group holding both keys (the "not two" form). */
export function groupWith(a: string, b: string): OneOfGroup | undefined {
  return GROUPS.find((g) => g.keys.includes(a) && g.keys.includes(b));
}

/** Draft-07 keywords for "exactly one of the group's keys" on an object schema. */
export function exactlyOne(g: OneOfGroup): { anyOf: object[]; dependencies: Record<string, object> } {
  return {
    anyOf: g.keys.map((k) => ({ required: [k], errorMessage: missingMessage(g) })),
    dependencies: Object.fromEntries(
      g.keys.map((k) => [
        k,
        {
          properties: Object.fromEntries(g.keys.filter((o) => o !== k).map((o) => [o, false])),
          errorMessage: exclusiveMessage(g),
        },
      ]),
    ),
  };
}
