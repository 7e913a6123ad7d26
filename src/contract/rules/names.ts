/**
 * Names become file names (`logs/<service>.log`), env variables (`<PORT>_PORT`) and compose service
 * names, so they are restricted to one safe alphabet: no `..`, `/`, spaces or capitals.
 */
import type { Diagnostic } from '../../lib/failure.js';
import type { Rule } from '../draft.js';
import { BUILTIN_NAMES, SERVICE_BUILTIN_NAMES } from '../interpolate.js';

const BUILTINS = new Set<string>([...BUILTIN_NAMES, ...SERVICE_BUILTIN_NAMES]);

export const NAME_PATTERN = /^[a-z0-9][a-z0-9_-]*$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function suggestName(name: string): string {
  const s = name
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^[^a-z0-9]+/, '')
    .replace(/-+$/, '');
  return s ? `e.g. "${s}"` : 'e.g. "api"';
}

export const invalidNames: Rule = {
  name: 'invalid-names',
  check({ contract, origins, source }) {
    const out: Diagnostic[] = [];
    for (const name of Object.keys(contract.services)) {
      if (!NAME_PATTERN.test(name)) {
        out.push(
          source.diagnostic(
            {
              code: 'invalid-name',
              message: `invalid service name "${name}": use lowercase letters, digits, "_" and "-", starting with a letter or digit`,
              hint: suggestName(name),
            },
            ['services', name],
            true,
          ),
        );
      }
    }
    for (const decl of origins.portDecls) {
      if (!NAME_PATTERN.test(decl.name)) {
        out.push(
          source.diagnostic(
            {
              code: 'invalid-name',
              message: `invalid port name "${decl.name}": use lowercase letters, digits, "_" and "-", starting with a letter or digit`,
              hint: suggestName(decl.name),
            },
            decl.path,
            typeof decl.path[decl.path.length - 1] === 'string',
          ),
        );
      }
    }
    return out;
  },
};

export const invalidEnvNames: Rule = {
  name: 'invalid-env-names',
  check({ contract, origins, source }) {
    const reserved = new Map<string, string>();
    for (const p of contract.ports) reserved.set(p.envVar, `the variable of port "${p.name}"`);
    const out: Diagnostic[] = [];
    for (const { key, path } of origins.envKeys) {
      if (!ENV_NAME.test(key)) {
        out.push(
          source.diagnostic(
            {
              code: 'invalid-name',
              message: `invalid variable name "${key}": use letters, digits and "_", not starting with a digit`,
            },
            path,
            true,
          ),
        );
      } else if (BUILTINS.has(key) || reserved.has(key)) {
        out.push(
          source.diagnostic(
            {
              code: 'reserved-variable',
              message: `${key} is set by factory (${reserved.get(key) ?? 'a built-in'}) and cannot be set in env`,
              hint: 'use another name',
            },
            path,
            true,
          ),
        );
      }
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
