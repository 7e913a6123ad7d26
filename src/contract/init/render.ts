/**
 * The starter factory.yaml `factory init` writes from what it detected: readable, commented, and
 * always valid (init compiles it before writing).
 */
import { basename } from 'node:path';
import { stringify } from 'yaml';
import type { PackageManager } from '../types.js';
import type { Detected } from './detect.js';

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

export function renderStarter(dir: string, d: Detected, schemaRef: string): Starter {
  const name = safeName(basename(dir));
  const pm = d.packageManager ?? 'npm';
  const lines = [
    `# yaml-language-server: $schema=${schemaRef}`,
    '# The runtime contract of this repository for `factory` (docs: docs/contract.md).',
    '# Written by `factory init` from what it detected; review the commands, ports and checks.',
    `name: ${scalar(name)}`,
  ];
  if (d.packageManager) lines.push('runtime:', `  package_manager: ${d.packageManager}`);
  if (d.hasPackageJson) lines.push('setup:', `  - ${scalar(`${pm} install`)}`);

  const ports: string[] = [];
  const services: string[][] = [];
  const names: string[] = [];
  const addService = (svc: string, body: string[]) => {
    let n = safeName(svc);
    while (names.includes(n)) n = `${n}-2`;
    names.push(n);
    services.push([`  ${n}:`, ...body.map((l) => `    ${l}`)]);
    return n;
  };

  for (const s of d.composeServices) {
    addService(s, [
      'type: compose',
      `compose_file: ${scalar(d.composeFile ?? 'compose.yaml')}`,
      `service: ${scalar(s)}`,
    ]);
  }
  const dependsOn = d.composeServices.length ? [`depends_on: [${d.composeServices.map(safeName).join(', ')}]`] : [];

  if (d.procfile.length) {
    for (const p of d.procfile) {
      const isWeb = p.name === 'web';
      if (isWeb) ports.push('web');
      addService(p.name, [
        `command: ${scalar(p.command)}`,
        ...(isWeb
          ? [
              'port: web',
              'env:',
              '  PORT: ${WEB_PORT}',
              'url: http://localhost:${WEB_PORT}',
              'healthcheck: { tcp: web }',
            ]
          : []),
        ...dependsOn,
      ]);
    }
  } else {
    const script = d.scripts.includes('dev') ? 'dev' : d.scripts.includes('start') ? 'start' : undefined;
    if (script) {
      ports.push('app');
      addService('app', [
        `command: ${scalar(run(pm, script))}`,
        '# Assumes the app listens on $PORT; change it to the port variable your app reads.',
        'port: app',
        'env:',
        '  PORT: ${APP_PORT}',
        'url: http://localhost:${APP_PORT}',
        'healthcheck: { tcp: app }',
        ...dependsOn,
      ]);
    }
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
