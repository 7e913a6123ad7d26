/**
 * Leases as `env` and `ps` see them, with the real binary: reading variables never leases, stale
 * leases are reclaimed on their own, `ps --prune` removes what is left, `ps` exits 1 only for a
 * real leak.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { readLeases } from '../../src/services/leases.js';
import { expectNothingLeft, expectSchema, makeProject, svc, type Project } from './helpers.js';

let project: Project | undefined;
afterEach(async () => {
  await project?.cleanup();
  project = undefined;
});

const contract = `
name: lp
ports: [api, web]
services:
  api:
    command: ${svc('--listen', 'API_PORT')}
    port: api
    healthcheck: { tcp: api }
`;

describe('factory env on an instance never started', () => {
  it('prints the ports it would get and says so, without leasing', async () => {
    const p = (project = makeProject(contract));
    const json = await p.run(['env', '--worktree-id', 'fresh', '--json']);
    expect(json.code, json.stderr).toBe(0);
    const out = JSON.parse(json.stdout);
    expectSchema('env', out);
    expect(out).toMatchObject({
      leased: false,
      note: 'instance "fresh" holds no port lease: these are the ports it would get if started now (not reserved; factory start leases them)',
    });
    expect(Number(out.env.API_PORT)).toBe(out.portBase);
    expect(Number(out.env.WEB_PORT)).toBe(out.portBase + 1);
    const human = await p.run(['env', '--worktree-id', 'fresh']);
    expect(human.stdout).toMatch(/^API_PORT=\d+$/m);
    expect(human.stderr).toBe(`note: ${out.note}\n`);
    const shell = await p.run(['env', '--worktree-id', 'fresh', '--shell']);
    expect(shell.stdout).toMatch(/^export API_PORT='\d+'$/m);
    expect(readLeases().filter((l) => l.root === p.dir)).toEqual([]);
    const ps = JSON.parse((await p.run(['ps', '--json'])).stdout);
    expect(ps.instances.filter((i: { root: string }) => i.root === p.dir)).toEqual([]);

    // Once started, env reads the lease.
    const start = await p.run(['start', '--worktree-id', 'fresh', '--json']);
    expect(start.code, start.stdout + start.stderr).toBe(0);
    const after = JSON.parse((await p.run(['env', '--worktree-id', 'fresh', '--json'])).stdout);
    expect(after).toMatchObject({ leased: true, note: null, portBase: JSON.parse(start.stdout).portBase });
    expect((await p.run(['env', '--worktree-id', 'fresh'])).stderr).toBe('');
    await p.run(['stop', '--worktree-id', 'fresh']);
    await expectNothingLeft(p, ['fresh']);
  });
});
