/** The `jobs:` section → `JobsSpec` (./types.ts): agents per role, durations in ms, suites checked. */
import type { Normalizer } from './normalize.js';
import type { FactoryYaml } from './schema.js';
import type { JobAgentSpec, JobsSpec } from './types.js';

type AgentYaml = string | { agent: string; model?: string; command?: string[] };

function agentOf(a: AgentYaml): JobAgentSpec {
  if (typeof a === 'string') return { agent: a };
  return { agent: a.agent, ...(a.model ? { model: a.model } : {}), ...(a.command ? { command: a.command } : {}) };
}

export function normalizeJobs(n: Normalizer, y: FactoryYaml, suites: string[]): JobsSpec | undefined {
  const j = y.jobs;
  if (!j) return undefined;
  const roles: JobsSpec['roles'] = {};
  for (const role of ['planner', 'builder', 'reviewer'] as const) {
    const a = j[role] ?? j.agent;
    if (a !== undefined) roles[role] = agentOf(a);
  }
  (j.tests ?? []).forEach((t, i) => {
    if (!suites.includes(t))
      n.error(
        'unknown-test-suite',
        `jobs.tests names "${t}", which is not a test suite`,
        ['jobs', 'tests', i],
        suites.length ? `one of: ${suites.join(', ')}` : 'declare it under tests:',
      );
  });
  const timeoutsMs: Record<string, number> = {};
  for (const [k, v] of Object.entries(j.timeouts ?? {})) {
    if (v !== undefined) timeoutsMs[k === 'agent_idle' ? 'agentIdle' : k] = n.duration(v as number | string, 0);
  }
  return {
    roles,
    ...(j.sandbox ? { sandbox: j.sandbox } : {}),
    ...(j.max_fix_rounds !== undefined ? { maxFixRounds: j.max_fix_rounds } : {}),
    ...(j.tests ? { tests: j.tests } : {}),
    approvalPaths: j.approval?.paths ?? [],
    timeoutsMs,
    ...(j.preview_ttl !== undefined ? { previewTtlMs: n.duration(j.preview_ttl, 0) } : {}),
    ...(j.concurrency !== undefined ? { concurrency: j.concurrency } : {}),
    ...(j.publisher ? { publisher: j.publisher } : {}),
    ...(j.github
      ? {
          github: {
            ...(j.github.remote ? { remote: j.github.remote } : {}),
            ...(j.github.repo ? { repo: j.github.repo } : {}),
            ...(j.github.api_url ? { apiUrl: j.github.api_url } : {}),
            labels: j.github.labels ?? [],
          },
        }
      : {}),
  };
}
