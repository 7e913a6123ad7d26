/** `factory doctor --json` (published as schema/doctor.schema.json). */
import { Type } from '@sinclair/typebox';

const closed = { additionalProperties: false } as const;

export const DoctorOutput = Type.Object(
  {
    schemaVersion: Type.Literal(1),
    ok: Type.Boolean({ description: 'Every needed check is ok (exit 0; else exit 3).' }),
    contractFile: Type.Union([Type.String(), Type.Null()]),
    checks: Type.Array(
      Type.Object(
        {
          id: Type.String({
            description:
              'contract, node, git, leases, chromium, ffmpeg, postgresql, compose, bwrap, docker, podman, agent:<name>',
          }),
          status: Type.Union([Type.Literal('ok'), Type.Literal('missing'), Type.Literal('broken')]),
          needed: Type.Boolean({ description: 'Needed here (by the contract, or by --agent / --sandbox).' }),
          why: Type.String(),
          detail: Type.String(),
          fix: Type.Union([Type.String(), Type.Null()], {
            description: 'The exact command that fixes it; null when ok.',
          }),
        },
        closed,
      ),
    ),
  },
  { ...closed, description: 'Output of `factory doctor --json`.' },
);
