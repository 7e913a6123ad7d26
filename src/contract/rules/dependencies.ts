/**
 * Dependency rules: every dependency exists, the graph has no cycle, and a written condition can
 * actually be met (`healthy` needs a health check; `completed` makes its target a one-shot unless
 * the target contradicts it).
 */
import type { Diagnostic } from '../../lib/failure.js';
import type { Rule } from '../draft.js';
import { findCycles } from '../graph.js';
import { suggest } from '../../lib/suggest.js';

function didYouMean(name: string, known: string[]): string | undefined {
  const best = suggest(name, known);
  return best === undefined ? undefined : `did you mean "${best}"?`;
}

export const unknownDependencies: Rule = {
  name: 'unknown-dependencies',
  check({ contract, origins, source, pruned }) {
    if (pruned.has(['services'])) return [];
    const known = Object.keys(contract.services);
    const out: Diagnostic[] = [];
    for (const [service, deps] of Object.entries(origins.dependsOn)) {
      deps.forEach((d, i) => {
        if (deps.findIndex((x) => x.service === d.service) < i) {
          out.push(
            source.diagnostic(
              {
                code: 'duplicate-dependency',
                message: `service "${service}" lists "${d.service}" twice in depends_on`,
              },
              d.path,
              d.explicit,
            ),
          );
        }
      });
      for (const d of deps) {
        if (known.includes(d.service)) continue;
        out.push(
          source.diagnostic(
            {
              code: 'unknown-dependency',
              message: `service "${service}" depends on "${d.service}", which is not defined`,
              hint: didYouMean(d.service, known) ?? `defined services: ${known.join(', ')}`,
            },
            d.path,
            d.explicit,
          ),
        );
      }
    }
    for (const n of origins.needs) {
      if (known.includes(n.service)) continue;
      out.push(
        source.diagnostic(
          {
            code: 'unknown-service',
            message: `"${n.service}" is not a service`,
            hint: didYouMean(n.service, known) ?? `defined services: ${known.join(', ') || '(none)'}`,
          },
          n.path,
        ),
      );
    }
    return out;
  },
};

export const dependencyCycles: Rule = {
  name: 'dependency-cycles',
  check({ contract, origins, source }) {
    return findCycles(contract.services).map((cycle) => {
      const [from, to] = cycle as [string, string];
      const at = origins.dependsOn[from]?.find((d) => d.service === to);
      return source.diagnostic(
        {
          code: 'dependency-cycle',
          message:
            cycle.length === 2 ? `service "${from}" depends on itself` : `dependency cycle: ${cycle.join(' → ')}`,
          hint: 'remove one of these depends_on entries',
        },
        at?.path ?? ['services', from],
        at?.explicit ?? false,
      );
    });
  },
};

export const impossibleConditions: Rule = {
  name: 'impossible-conditions',
  check({ contract, origins, source, pruned }) {
    const out: Diagnostic[] = [];
    for (const [service, deps] of Object.entries(origins.dependsOn)) {
      for (const d of deps) {
        const target = contract.services[d.service];
        // What the schema took out of the target (its health check, one_shot, restart) is unknown.
        if (pruned.has(['services', d.service])) continue;
        const dep = contract.services[service]?.dependsOn.find((x) => x.service === d.service);
        if (!target || !dep || !d.explicit) continue;
        // A compose service may take its check from the compose file's healthcheck (checked at start).
        if (
          dep.condition === 'healthy' &&
          !target.healthcheck &&
          target.kind !== 'compose' &&
          !pruned.has(['services', d.service, 'healthcheck'])
        ) {
          out.push(
            source.diagnostic(
              {
                code: 'condition-without-healthcheck',
                message: `service "${service}" waits for "${d.service}" to be healthy, but "${d.service}" has no healthcheck`,
                hint: `add a healthcheck to "${d.service}", or use condition "started"`,
              },
              d.path,
            ),
          );
        }
        const contradiction = ['one_shot', 'restart'].some((k) => pruned.has(['services', d.service, k]));
        if (dep.condition === 'completed' && !target.oneShot && !contradiction) {
          // Only a written contradiction is left here: waiting for completion makes a service a one-shot.
          const always = target.restart.policy === 'always';
          const alternatives = target.healthcheck ? 'condition "healthy" or "started"' : 'condition "started"';
          out.push(
            source.diagnostic(
              {
                code: 'condition-not-one-shot',
                message: always
                  ? `service "${service}" waits for "${d.service}" to complete, but "${d.service}" restarts always, so it never stays completed`
                  : `service "${service}" waits for "${d.service}" to complete, but "${d.service}" says one_shot: false`,
                hint: always
                  ? `give "${d.service}" restart: on-failure (or no), or wait for it with ${alternatives}`
                  : `remove "one_shot: false" from "${d.service}", or wait for it with ${alternatives}`,
              },
              d.path,
            ),
          );
        }
      }
    }
    return out;
  },
};
