/**
 * JSON Schemas of what `factory check`, `factory config` and `factory init` print with `--json`
 * (registered in src/schemas.ts, published as schema/<name>.schema.json).
 */
import { Type, type Static } from '@sinclair/typebox';
import { ContractSchema } from './contract-schema.js';

const Nullable = <T extends ReturnType<typeof Type.String> | ReturnType<typeof Type.Integer>>(t: T) =>
  Type.Union([t, Type.Null()]);

/** One located problem, every key present (null when unknown). Lines and columns are 1-based. */
export const DiagnosticJson = Type.Object({
  code: Type.String({ description: 'Stable identifier, e.g. unknown-key, dependency-cycle.' }),
  severity: Type.Union([Type.Literal('error'), Type.Literal('warning')]),
  message: Type.String(),
  hint: Nullable(Type.String()),
  file: Nullable(Type.String()),
  line: Nullable(Type.Integer({ minimum: 1 })),
  column: Nullable(Type.Integer({ minimum: 1 })),
  endColumn: Nullable(Type.Integer({ minimum: 1 })),
});
export type DiagnosticJson = Static<typeof DiagnosticJson>;

export const CheckOutput = Type.Object(
  {
    schemaVersion: Type.Literal(1),
    ok: Type.Boolean({ description: 'true when the contract has no errors (warnings allowed).' }),
    file: Type.String({ description: 'Absolute path of the contract checked.' }),
    diagnostics: Type.Array(DiagnosticJson),
  },
  { title: 'factory check --json' },
);

export const GraphEdgeJson = Type.Object({
  from: Type.String({ description: 'The dependent service.' }),
  to: Type.String({ description: 'The service it depends on.' }),
  condition: Type.Union([Type.Literal('started'), Type.Literal('healthy'), Type.Literal('completed')]),
});

/**
 * What a command that needs the contract prints with `--json` when it cannot have it: an invalid
 * contract (`error.code` "invalid-contract", every problem in `diagnostics`, as `check` gives them),
 * or none found ("no-contract", no diagnostics).
 */
export const ContractFailureJson = Type.Object(
  {
    schemaVersion: Type.Literal(1),
    ok: Type.Literal(false),
    file: Type.Optional(Type.String({ description: 'Absolute path of the contract, when one was found.' })),
    error: Type.Object({
      code: Type.String({ description: 'invalid-contract, no-contract, usage, …' }),
      message: Type.String(),
      hint: Nullable(Type.String({ description: "The first problem's hint, for an invalid contract." })),
    }),
    diagnostics: Type.Array(DiagnosticJson, { description: 'Every problem, errors and warnings, in file order.' }),
  },
  { title: 'failure' },
);

export const ConfigOutput = Type.Union(
  [
    Type.Object(
      {
        schemaVersion: Type.Literal(1),
        ok: Type.Literal(true),
        file: Type.String(),
        contract: ContractSchema,
        startOrder: Type.Array(Type.String(), {
          description: 'Service names, dependencies first; stop runs it reversed.',
        }),
        graph: Type.Object({ edges: Type.Array(GraphEdgeJson) }),
        diagnostics: Type.Array(DiagnosticJson, { description: 'Warnings (a contract with errors exits 2 instead).' }),
      },
      { title: 'success' },
    ),
    ContractFailureJson,
  ],
  { title: 'factory config --json' },
);

export const InitOutput = Type.Object(
  {
    schemaVersion: Type.Literal(1),
    ok: Type.Literal(true),
    file: Type.String({ description: 'Absolute path of the factory.yaml written.' }),
    overwritten: Type.Boolean(),
    gitignoreUpdated: Type.Boolean({ description: 'true when ".factory/" was added to .gitignore.' }),
    detected: Type.Object({
      packageManager: Nullable(Type.String()),
      scripts: Type.Array(Type.String({ description: 'package.json scripts used (dev, start, test, …).' })),
      composeFile: Nullable(Type.String()),
      composeServices: Type.Array(Type.String()),
      procfile: Type.Array(Type.String({ description: 'Procfile process names.' })),
    }),
    services: Type.Array(Type.String(), { description: 'Services in the starter contract.' }),
    tests: Type.Array(Type.String()),
    startsHere: Type.Boolean({ description: 'false when something below keeps it from starting on this machine.' }),
    blockers: Type.Array(
      Type.Object({
        code: Type.String({ description: 'missing-program, compose-unavailable, …' }),
        message: Type.String(),
        hint: Nullable(Type.String()),
      }),
      { description: 'What keeps it from starting here, each with the fix.' },
    ),
    next: Type.Array(Type.String(), {
      description: 'The commands that bring it up, in order (factory setup, factory start).',
    }),
  },
  { title: 'factory init --json' },
);
