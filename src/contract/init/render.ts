/**
 * The starter factory.yaml `factory init` writes from what it detected: readable, commented, and
 * always valid (init compiles it before writing).
 *
 * Every port an app or a compose service listens on is a named port, so each instance leases its
 * own: a compose service's published ports (5432, 6379 in the compose file) become `port:` names
 * that the runtime maps to leased host ports; an app gets its port through `$PORT`, or through
 * `--port` for dev servers that ignore `$PORT` (vite, astro, …).
 */
import { basename } from 'node:path';
import { stringify } from 'yaml';
import { portEnvVar } from '../interpolate.js';
import type { PackageManager } from '../types.js';
import type { Detected } from './detect.js';

/** Where the contract is documented, for the header of the file init writes. */
export const CONTRACT_DOCS_URL = 'https://github.com/software-factory/factory/blob/main/docs/contract.md';

export interface Starter {
  text: string;
  services: string[];
  tests: string[];
}

/** A YAML scalar, quoted only when YAML needs it. */
function scalar(v: string): string {
  return stringify(v, { lineWidth: 0 }).trimEnd();
}

function run(pm: PackageManager, script: string): string {
  if (script === 'test' || script === 'start') return pm === 'npm' ? `npm ${script}` : `${pm} ${script}`;
  return `${pm} run ${script}`;
}

function safeName(s: string): string {
  return (
    s
      .toLowerCase()
      .replace(/[^a-z0-9_-]+/g, '-')
      .replace(/^[^a-z0-9]+/, '')
      .replace(/-+$/, '') || 'app'
  );
}

/** Dev servers that take their port as `--port` and do not read `$PORT`. */
const PORT_FLAG_TOOLS =
  /(^|[\s;&|(])(vite|astro|webpack(-dev-server| serve)|ng serve|storybook|docusaurus start|gatsby develop)\b/;

/** How a package script's command gets its port: `--port` after the script, or `PORT` in its env. */
function appCommand(
  pm: PackageManager,
  script: string,
  text: string,
  portVar: string,
): { command: string; env: string[]; note: string } {
  const base = run(pm, script);
  const tool = PORT_FLAG_TOOLS.exec(text)?.[2];
  if (tool) {
    // npm passes arguments to the script after `--`; pnpm, yarn and bun pass them as they are.
    const sep = pm === 'npm' ? ' --' : '';
    return {
      command: `${base}${sep} --port \${${portVar}}`,
      env: [],
      note: `# ${tool} takes its port as --port; the instance's leased port is \${${portVar}}.`,
    };
  }
  return {
    command: base,
    env: ['env:', `  PORT: \${${portVar}}`],
    note: '# Assumes the app listens on $PORT; change it to the port variable your app reads.',
  };
}

export function renderStarter(dir: string, d: Detected, schemaRef: string): Starter {
  const name = safeName(basename(dir));
  const pm = d.packageManager ?? 'npm';
  const lines = [
    `# yaml-language-server: $schema=${schemaRef}`,
    `# The runtime contract of this repository for \`factory\`: ${CONTRACT_DOCS_URL}`,
    '# Written by `factory init` from what it detected; review the commands, ports and checks.',
    `name: ${scalar(name)}`,
  ];
  if (d.packageManager) lines.push('runtime:', `  package_manager: ${d.packageManager}`);
  if (d.hasPackageJson) lines.push('setup:', `  - ${scalar(`${pm} install`)}`);

  const ports: string[] = [];
  const services: string[][] = [];
  const names: string[] = [];
  const unique = (wanted: string, taken: string[]) => {
    let n = safeName(wanted);
    while (taken.includes(n)) n = `${n}-2`;
    taken.push(n);
    return n;
  };
  const addService = (n: string, body: string[]) => {
    services.push([`  ${n}:`, ...body.map((l) => `    ${l}`)]);
  };

  const composeNames: string[] = [];
  for (const s of d.compose) {
    const svcName = unique(s.name, names);
    const own = s.containerPorts.map((p, i) => unique(i === 0 ? svcName : `${svcName}-${p}`, ports));
    const portLines =
      own.length === 0
        ? []
        : [
            `# compose publishes ${s.containerPorts.join(', ')}; each instance gets leased host ports instead: ${own.map((p) => `\${${portEnvVar(p)}}`).join(', ')} on 127.0.0.1.`,
            own.length === 1 ? `port: ${own[0]}` : `ports: [${own.join(', ')}]`,
          ];
    const check = s.healthcheck
      ? ["# Ready when the compose file's own healthcheck passes (factory runs it)."]
      : own.length > 0
        ? [`healthcheck: { tcp: ${own[0]} }`]
        : [];
    composeNames.push(svcName);
    addService(svcName, [
      'type: compose',
      `compose_file: ${scalar(d.composeFile ?? 'compose.yaml')}`,
      `service: ${scalar(s.name)}`,
      ...portLines,
      ...check,
    ]);
  }
  const dependsOn = composeNames.length ? [`depends_on: [${composeNames.join(', ')}]`] : [];

  const addApp = (svc: string, script: string, text: string, cwd?: string) => {
    const n = unique(svc, names);
    const port = unique(n, ports);
    const wiring = appCommand(pm, script, text, portEnvVar(port));
    addService(n, [
      `command: ${scalar(wiring.command)}`,
      ...(cwd ? [`cwd: ${scalar(cwd)}`] : []),
      wiring.note,
      `port: ${port}`,
      ...wiring.env,
      `url: http://localhost:\${${portEnvVar(port)}}`,
      `healthcheck: { tcp: ${port} }`,
      ...dependsOn,
    ]);
  };

  for (const p of d.procfile) {
    const n = unique(p.name, names);
    const port = p.name === 'web' ? unique('web', ports) : undefined;
    const v = port === undefined ? '' : `\${${portEnvVar(port)}}`;
    addService(n, [
      `command: ${scalar(p.command)}`,
      ...(port === undefined
        ? []
        : [`port: ${port}`, 'env:', `  PORT: ${v}`, `url: http://localhost:${v}`, `healthcheck: { tcp: ${port} }`]),
      ...dependsOn,
    ]);
  }
  // A Procfile's web process is the app; else each workspace app, else the root dev (or start) script.
  const hasWeb = d.procfile.some((p) => p.name === 'web');
  if (!hasWeb && d.workspaceApps.length > 0) {
    for (const w of d.workspaceApps) addApp(w.dir.split('/').pop() ?? w.dir, 'dev', w.dev, w.dir);
  } else if (!hasWeb) {
    const script = d.scripts.includes('dev') ? 'dev' : d.scripts.includes('start') ? 'start' : undefined;
    if (script) addApp('app', script, d.scriptText[script] ?? '');
  }

  if (ports.length) lines.push(`ports: [${ports.join(', ')}]`);
  if (services.length) lines.push('services:', ...services.flat());
  else {
    lines.push(
      '# services:',
      '#   web:',
      '#     command: node server.js',
      '#     port: web',
      '#     healthcheck: { http: "http://localhost:${WEB_PORT}/health" }',
    );
  }

  const tests = d.scripts.filter((s) => s === 'test' || s === 'typecheck' || s === 'lint');
  if (tests.length) {
    lines.push('tests:');
    for (const t of tests) lines.push(`  ${t}:`, `    - ${scalar(run(pm, t))}`);
  }
  lines.push('artifacts:', '  collect:', '    - test-results/**');
  return { text: `${lines.join('\n')}\n`, services: names, tests };
}
