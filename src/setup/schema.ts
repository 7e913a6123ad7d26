/** The `factory setup --json` output shape (published as schema/setup.schema.json). */
import { Type } from '@sinclair/typebox';

export const SetupStepResultSchema = Type.Object(
  {
    name: Type.String(),
    status: Type.Union([Type.Literal('ran'), Type.Literal('skipped'), Type.Literal('failed'), Type.Literal('not-run')]),
    reason: Type.String({ description: 'Why the step ran, was skipped, or failed.' }),
    durationMs: Type.Number(),
    exitCode: Type.Union([Type.Integer(), Type.Null()]),
    inputFiles: Type.Integer({ description: 'Input files fingerprinted.' }),
    log: Type.Union([Type.String(), Type.Null()], { description: "Absolute path of the step's output log." }),
    tail: Type.Optional(Type.String({ description: 'Last output of a failed step.' })),
  },
  { additionalProperties: false },
);

export const SetupOutputSchema = Type.Object(
  {
    schemaVersion: Type.Literal(1),
    ok: Type.Boolean(),
    worktreeId: Type.String(),
    stateDir: Type.String(),
    steps: Type.Array(SetupStepResultSchema),
    unavailableEnv: Type.Array(Type.String(), {
      description: 'Contract env entries setup could not resolve (they reference ports the instance has not leased).',
    }),
    durationMs: Type.Number(),
  },
  { additionalProperties: false, description: 'Output of `factory setup --json`.' },
);
