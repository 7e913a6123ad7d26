/**
 * The MCP tools' input schemas. Outputs are the commands' `--json` shapes (src/services/schema.ts,
 * src/test-suites/schema.ts, src/contract/output-schemas.ts) and, for `validate`, the report's
 * summary (src/validation/summary.ts), so a tool and its command never disagree. Inputs are closed objects: an unknown argument is a tool error, not silently ignored.
 */
import { Type } from '@sinclair/typebox';

const closed = { additionalProperties: false } as const;
const Names = (description: string) => Type.Array(Type.String({ minLength: 1 }), { description });

export const NoInput = Type.Object({}, closed);

export const LogsInput = Type.Object(
  {
    service: Type.Optional(
      Type.String({ minLength: 1, description: 'One service (or "supervisor"); default: all, merged by time.' }),
    ),
    lines: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 10_000, description: 'How many of the last lines (default 100).' }),
    ),
    filter: Type.Optional(
      Type.String({
        minLength: 1,
        description: 'JavaScript regular expression: only lines matching it (the last `lines` of those).',
      }),
    ),
  },
  closed,
);

export const StartInput = Type.Object(
  {
    services: Type.Optional(Names('Start only these services and their dependencies (default: all).')),
    portRange: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 65_535, description: 'First port of the block to lease (`--port-range`).' }),
    ),
    timeoutSeconds: Type.Optional(
      Type.Number({ exclusiveMinimum: 0, description: 'Give up (and stop everything) if not ready by then.' }),
    ),
  },
  closed,
);

export const RestartInput = Type.Object(
  { service: Type.String({ minLength: 1, description: 'The service to restart.' }) },
  closed,
);

export const TestInput = Type.Object({ suites: Type.Optional(Names('Suites to run (default: all).')) }, closed);

export const ValidateInput = Type.Object(
  {
    scenarios: Type.Optional(Names('Scenario names to run (default: all, or those --feature picks).')),
    feature: Type.Optional(
      Type.String({ minLength: 1, description: 'Run the scenarios whose name or description matches this text.' }),
    ),
  },
  closed,
);
