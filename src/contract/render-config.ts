/**
 * The views of a compiled contract for `factory config`: the human one (what will run, in what
 * order, on which ports, checked how) and the --json document.
 */
import type { Diagnostic } from '../lib/failure.js';
import { colors } from '../lib/output.js';
import { graphEdges } from './graph.js';
import { countLabel, diagnosticJson } from './report.js';
import type { Command, Contract, HealthCheck, ServiceSpec } from './types.js';

/** The machine view (`factory config --json`, the MCP `config` tool; schema/config.schema.json). */
export function configJson(contract: Contract, warnings: Diagnostic[]) {
  return {
    ok: true,
    file: contract.file,
    contract,
    startOrder: contract.startOrder,
    graph: { edges: graphEdges(contract) },
    diagnostics: warnings.map(diagnosticJson),
  };
}

/**
 * The machine view of a contract that does not compile (schema/config.schema.json's failure
 * shape): every diagnostic as `factory check --json` gives it, the first error's hint on top.
 */
export function configFailureJson(file: string, shownFile: string, diagnostics: Diagnostic[]) {
  const errors = diagnostics.filter((d) => d.severity === 'error');
  return {
    ok: false,
    file,
    error: {
      code: 'invalid-contract',
      message: `${countLabel(errors.length, 'problem')} in ${shownFile}`,
      hint: errors[0]?.hint ?? null,
    },
    diagnostics: diagnostics.map(diagnosticJson),
  };
}

function cmd(c: Command): string {
  return c.kind === 'shell' ? c.line : c.argv.map((a) => (/[\s"'$]/.test(a) ? JSON.stringify(a) : a)).join(' ');
}

function check(h: HealthCheck): string {
  switch (h.kind) {
    case 'http':
      return `http ${h.url} (status ${h.status[0]}-${h.status[1]})`;
    case 'tcp':
      return `tcp ${h.port}`;
    case 'command':
      return `command ${cmd(h.command)}`;
    case 'log':
      return `log /${h.pattern}/`;
  }
}

function service(s: ServiceSpec): string[] {
  const lines = [`  ${colors.bold(s.name)}${s.oneShot ? ' (one-shot)' : ''}`];
  if (s.kind === 'process') lines.push(`    run:        ${cmd(s.command)}${s.cwd !== '.' ? `  (in ${s.cwd})` : ''}`);
  else lines.push(`    compose:    ${s.composeService}${s.composeFile ? ` in ${s.composeFile}` : ''}`);
  if (s.dependsOn.length)
    lines.push(`    after:      ${s.dependsOn.map((d) => `${d.service} (${d.condition})`).join(', ')}`);
  if (s.ports.length) lines.push(`    ports:      ${s.ports.join(', ')}`);
  if (s.healthcheck) lines.push(`    ready when: ${check(s.healthcheck)}`);
  if (s.url) lines.push(`    url:        ${s.url}`);
  return lines;
}

export function renderConfig(c: Contract): string[] {
  const out = [`${colors.bold(c.name)}  ${colors.dim(c.file)}`];
  if (c.runtime.packageManager) out.push(`package manager: ${c.runtime.packageManager}`);
  out.push(
    `isolation: ${c.isolation.strategy}, ${c.isolation.portBlockSize} ports per instance, compose project ${c.isolation.composeProjectPrefix}_<worktree id>`,
  );
  if (c.ports.length)
    out.push(`ports: ${c.ports.map((p) => `${p.name}=base+${p.offset} (\${${p.envVar}})`).join(', ')}`);
  if (c.ports.some((p) => p.inferred))
    out.push(
      colors.dim(
        `  note: no ports: list, so each \${NAME_PORT} reference declared its port, in order of first use;` +
          ` write "ports: [${c.ports.map((p) => p.name).join(', ')}]" to fix the names and offsets`,
      ),
    );
  if (c.envFiles.length)
    out.push(`env files: ${c.envFiles.map((f) => f.path + (f.required ? '' : ' (optional)')).join(', ')}`);
  const envKeys = Object.keys(c.env);
  if (envKeys.length) out.push(`env: ${envKeys.join(', ')}`);
  if (c.setup.length) {
    out.push('', 'setup:');
    for (const s of c.setup) out.push(`  ${s.name}: ${cmd(s.command)}`);
  }
  out.push('', `services (start order):`);
  for (const name of c.startOrder) {
    const s = c.services[name];
    if (s) out.push(...service(s));
  }
  const tests = Object.values(c.tests);
  if (tests.length) {
    out.push('', 'tests:');
    for (const t of tests)
      out.push(
        `  ${t.name}: ${t.commands.map(cmd).join(' && ')}${t.needs.length ? `  (needs ${t.needs.join(', ')})` : ''}`,
      );
  }
  if (c.validation) {
    const v = c.validation;
    out.push(
      '',
      `validation: ${v.startUrl ?? '(no start url)'}${v.recordVideo ? ', video' : ''}${v.mp4 ? ' + mp4' : ''}`,
    );
    for (const s of v.scenarios)
      out.push(`  ${s.name}: ${s.script ? `script ${s.script}` : `${s.steps.length} steps`} from ${s.startUrl}`);
  }
  if (c.artifacts.collect.length) out.push('', `artifacts: ${c.artifacts.collect.join(', ')}`);
  return out;
}
