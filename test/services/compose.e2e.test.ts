/**
 * compose services on a real engine: podman serving the Docker API on a private socket
 * (test/helpers/engine.ts), driven by Debian's docker-compose 1.29 and by podman-compose 1.0.
 * Two instances of one project at once (own compose projects, leased ports, own volumes), the
 * compose healthcheck run by factory, container output in `factory logs`, and `clean` leaving no
 * container, network or volume. Then the preflight: no compose plugin, no engine — exit 3, once.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readLeases } from '../../src/services/leases.js';
import { startEngine, type Engine } from '../helpers/engine.js';
import { basePort, expectNothingLeft, expectSchema, makeProject, type Project } from './helpers.js';

const BASE = basePort(4);
let engine: Engine;
let image: string;
beforeAll(async () => {
  engine = await startEngine();
  image = engine.baseImage();
}, 120_000);
afterAll(async () => {
  await engine?.stop();
}, 120_000);

/** A web server in a container whose page says which compose project it runs in, kept in a named volume. */
function composeYaml(): string {
  return `services:
  web:
    image: ${image}
    init: true
    environment:
      PROJECT: \${COMPOSE_PROJECT_NAME}
    command:
      - sh
      - -c
      - mkdir -p /site/www && { [ -f /site/www/index.html ] || echo "$$PROJECT" > /site/www/index.html; } && echo "serving $$PROJECT" && exec httpd -f -v -p 8080 -h /site/www
    ports: ["8080:8080"]
    volumes: ["site:/site"]
    healthcheck:
      test: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/"]
      timeout: 5s
volumes:
  site: {}
`;
}

function composeProject(prefix: string): Project {
  const p = makeProject(`
name: ${prefix}
isolation: { docker_project_prefix: ${prefix} }
ports: [web]
services:
  web:
    type: compose
    compose_file: compose.yaml
    port: web
    url: http://127.0.0.1:\${WEB_PORT}
`);
  writeFileSync(join(p.dir, 'compose.yaml'), composeYaml());
  return p;
}

interface StatusJson {
  healthy: boolean;
  ports: Record<string, number>;
  urls: Record<string, string>;
  compose: { name: string; flavor: string; version: string; engine: { name: string; version: string } | null };
  services: { name: string; kind: string; state: string; health: string; check: string | null }[];
}

async function page(url: string): Promise<string> {
  return (await fetch(url, { signal: AbortSignal.timeout(5_000) })).text();
}

describe.each([
  { tool: 'docker-compose', prefix: 'cdc', slot: 0, flavor: 'compose-v1', engineName: 'Podman Engine' },
  { tool: 'podman-compose', prefix: 'cpc', slot: 40, flavor: 'podman-compose', engineName: 'podman' },
])('$tool on podman', ({ tool, prefix, slot, flavor, engineName }) => {
  it('two instances at once: own projects, leased ports, own volumes, compose healthcheck, logs; clean leaves nothing', async () => {
    const p = composeProject(prefix);
    const env = { ...engine.env, FACTORY_COMPOSE: tool };
    try {
      const ids = ['a', 'b'];
      const starts = await Promise.all(
        ids.map((id, i) =>
          p.run(['start', '--worktree-id', id, '--port-range', String(BASE + slot + i * 10), '--json'], {
            env,
            timeoutMs: 180_000,
          }),
        ),
      );
      for (const s of starts) expect(s.code, `${s.stdout}\n${s.stderr}`).toBe(0);
      const status: StatusJson[] = [];
      for (const id of ids) {
        const r = await p.run(['status', '--worktree-id', id, '--json'], { env });
        expect(r.code, r.stderr).toBe(0);
        const json = JSON.parse(r.stdout) as StatusJson;
        expectSchema('status', json);
        status.push(json);
      }
      const [a, b] = status as [StatusJson, StatusJson];
      expect(a.compose).toMatchObject({ name: tool, flavor, engine: { name: engineName } });
      expect(a.services[0]).toMatchObject({ name: 'web', kind: 'compose', state: 'ready', health: 'healthy' });
      expect(a.services[0]?.check).toContain('wget -q -O /dev/null http://127.0.0.1:8080/');
      expect(a.ports.web).toBe(BASE + slot);
      expect(b.ports.web).toBe(BASE + slot + 10);
      // Each instance reaches its own container on its own leased port, with its own volume.
      expect(await page(a.urls.web as string)).toBe(`${prefix}_a\n`);
      expect(await page(b.urls.web as string)).toBe(`${prefix}_b\n`);
      expect(engine.inventory().volumes.sort()).toEqual([`${prefix}_a_site`, `${prefix}_b_site`]);

      const human = await p.run(['status', '--worktree-id', 'a'], { env });
      expect(human.stdout).toContain(`  compose: ${tool} `);
      // The container's own output is the service's log.
      const logs = await p.run(['logs', 'web', '--worktree-id', 'a'], { env });
      expect(logs.stdout).toContain(`serving ${prefix}_a`);

      // stop keeps the project (and its data) for the next start; clean removes it all.
      expect((await p.run(['stop', '--worktree-id', 'a'], { env, timeoutMs: 120_000 })).code).toBe(0);
      expect(engine.inventory().containers).toHaveLength(2);
      for (const id of ids) {
        const clean = await p.run(['clean', '--worktree-id', id, '--json'], { env, timeoutMs: 120_000 });
        expect(clean.code, clean.stderr).toBe(0);
        const json = JSON.parse(clean.stdout) as { compose: { argv: string[]; exitCode: number }[] };
        expectSchema('clean', json);
        for (const c of json.compose) expect(c, c.argv.join(' ')).toMatchObject({ exitCode: 0 });
      }
      expect(engine.inventory()).toEqual({ containers: [], pods: [], networks: [], volumes: [] });
      await expectNothingLeft(p, ids);
    } finally {
      await p.cleanup();
    }
  }, 300_000);
});

describe('the compose preflight', () => {
  let bin: string;
  beforeAll(() => {
    bin = mkdtempSync(join(tmpdir(), 'factory-bin-'));
  });
  afterAll(() => rmSync(bin, { recursive: true, force: true }));

  /** A PATH holding only the named tools of this machine (and the basics a shell needs). */
  function pathWith(name: string, tools: string[]): string {
    const dir = join(bin, name);
    mkdirSync(dir);
    for (const t of tools) {
      const real = ['/usr/local/bin', '/usr/bin', '/bin'].map((d) => join(d, t)).find((f) => existsSync(f));
      if (!real) throw new Error(`${t} is not installed here`);
      symlinkSync(real, join(dir, t));
    }
    return dir;
  }

  it('the docker client without a compose plugin: exit 3 with the fix, before any lease or file', async () => {
    const p = composeProject('pre');
    try {
      const env = { PATH: pathWith('docker-only', ['docker']), FACTORY_COMPOSE: undefined, DOCKER_HOST: undefined };
      const r = await p.run(['start', '--worktree-id', 'x', '--port-range', String(BASE + 80)], { env });
      expect(r.code).toBe(3);
      expect(r.stderr).toContain('no usable compose tool for the compose service(s) web:');
      expect(r.stderr).toContain(
        'docker compose: the docker client has no compose plugin (docker: unknown command: docker compose',
      );
      expect(r.stderr).toContain('docker-compose: docker-compose is not installed');
      expect(r.stderr).toContain('sudo apt-get install --no-install-recommends docker-compose');
      expect(r.stderr.match(/no usable compose tool/g)).toHaveLength(1);
      expect(existsSync(join(p.dir, '.factory'))).toBe(false);
      expect(readLeases().filter((l) => l.root === p.dir)).toEqual([]);
    } finally {
      await p.cleanup();
    }
  });

  it('a compose tool but no engine: exit 3 naming the socket, with how to serve one', async () => {
    const p = composeProject('pre');
    try {
      const env = {
        PATH: pathWith('compose-only', ['docker-compose', 'python3']),
        FACTORY_COMPOSE: 'docker-compose',
        DOCKER_HOST: `unix://${join(bin, 'none.sock')}`,
      };
      const r = await p.run(['start', '--worktree-id', 'x', '--port-range', String(BASE + 80), '--json'], { env });
      expect(r.code).toBe(3);
      const out = JSON.parse(r.stdout) as { ok: boolean; error: { code: string; message: string; hint: string } };
      expect(out.error.code).toBe('compose-unavailable');
      expect(out.error.message).toContain(
        `docker-compose 1.29.2 found, but no engine answers at unix://${join(bin, 'none.sock')} (ENOENT`,
      );
      expect(out.error.hint).toContain('podman system service --time=0 unix:///run/podman/podman.sock');
      expect(existsSync(join(p.dir, '.factory'))).toBe(false);
    } finally {
      await p.cleanup();
    }
  });

  it('a compose file that does not fit the contract: exit 2 naming the fix, no lease and nothing started', async () => {
    const p = makeProject(`
name: misfit
ports: [db]
services:
  db:
    type: compose
    port: db
  app:
    command: [node, -e, "setInterval(() => {}, 1000)"]
    depends_on: { db: healthy }
`);
    try {
      writeFileSync(join(p.dir, 'compose.yaml'), `services:\n  db:\n    image: ${image}\n    ports: ["5432:5432"]\n`);
      const r = await p.run(['start', '--worktree-id', 'm', '--port-range', String(BASE + 90)], { env: engine.env });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(
        `a service waits for "db" to be healthy, but it has no healthcheck in factory.yaml or in ${join(p.dir, 'compose.yaml')}`,
      );
      writeFileSync(join(p.dir, 'compose.yaml'), `services:\n  database:\n    image: ${image}\n`);
      const unknown = await p.run(['start', '--worktree-id', 'm', '--port-range', String(BASE + 90)], {
        env: engine.env,
      });
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toContain('compose service "db" is not in');
      expect(unknown.stderr).toContain('its services: database (set "service:" in factory.yaml to one of them)');
      expect(readLeases().filter((l) => l.root === p.dir)).toEqual([]);
      expect(engine.inventory().containers).toEqual([]);
    } finally {
      await p.cleanup();
    }
  });

  it('FACTORY_COMPOSE must name a known tool (exit 2)', async () => {
    const p = composeProject('pre');
    try {
      const r = await p.run(['start', '--worktree-id', 'x'], { env: { FACTORY_COMPOSE: 'nerdctl compose' } });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('FACTORY_COMPOSE="nerdctl compose" is not a compose tool factory knows');
    } finally {
      await p.cleanup();
    }
  });
});
