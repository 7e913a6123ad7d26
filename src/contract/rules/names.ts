/**
 * Name rules the schema cannot express (the name patterns and built-in variables are in
 * ../schema.ts): an env key may not be a port's variable, and setup step names are unique.
 */
import type { Diagnostic } from '../../lib/failure.js';
import type { Rule } from '../draft.js';
import { suggestVariable } from '../names.js';

export const portVariablesInEnv: Rule = {
  name: 'port-variables-in-env',
  check({ contract, origins, source }) {
    const reserved = new Map(contract.ports.map((p) => [p.envVar, p.name]));
    const out: Diagnostic[] = [];
    for (const { key, path } of origins.envKeys) {
      const port = reserved.get(key);
      if (port === undefined) continue;
      out.push(
        source.diagnostic(
          {
            code: 'reserved-variable',
            message: `${key} is set by factory (the variable of port "${port}") and cannot be set in env`,
            hint: `rename it, e.g. "${suggestVariable(key, true)}"`,
          },
          path,
          true,
        ),
      );
    }
    return out;
  },
};

export const duplicateStepNames: Rule = {
  name: 'duplicate-step-names',
  check({ contract, source }) {
    const seen = new Set<string>();
    const out: Diagnostic[] = [];
    contract.setup.forEach((s, i) => {
      if (seen.has(s.name)) {
        out.push(
          source.diagnostic({ code: 'duplicate-name', message: `two setup steps are named "${s.name}"` }, [
            'setup',
            i,
            'name',
          ]),
        );
      }
      seen.add(s.name);
    });
    return out;
  },
};
