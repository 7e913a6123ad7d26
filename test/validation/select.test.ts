import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRunDir, makeRunId } from '../../src/validation/run-dir.js';
import { checkNeeds, type InstanceView } from '../../src/validation/preflight.js';
import { selectScenarios } from '../../src/validation/select.js';
import { urlMatches } from '../../src/validation/steps.js';
import { scenario } from './helpers.js';
import { failureOf } from '../helpers/failure.js';

const all = [
  scenario('create-project', [], { description: 'Create a project and see it appear in the list' }),
  scenario('delete-project', [], { description: 'Remove a project' }),
  scenario('login', []),
];

describe('selectScenarios', () => {
  it('picks all, by name, or by feature words in name or description', () => {
    expect(selectScenarios(all, {}).map((s) => s.name)).toEqual(['create-project', 'delete-project', 'login']);
    expect(selectScenarios(all, { names: ['login', 'create-project'] }).map((s) => s.name)).toEqual([
      'login',
      'create-project',
    ]);
    expect(selectScenarios(all, { feature: 'create project' }).map((s) => s.name)).toEqual(['create-project']);
    expect(selectScenarios(all, { feature: 'Project' }).map((s) => s.name)).toEqual([
      'create-project',
      'delete-project',
    ]);
    expect(selectScenarios(all, { feature: 'appear in the list' }).map((s) => s.name)).toEqual(['create-project']);
  });

  it('explains an unknown name or a feature nothing matches', () => {
    expect(failureOf(() => selectScenarios(all, { names: ['create-projet'] }))).toEqual({
      code: 'unknown-scenario',
      message: 'no scenario named "create-projet" in the contract',
      hint: 'did you mean "create-project"? (scenarios: create-project, delete-project, login)',
      exitCode: 2,
    });
    expect(failureOf(() => selectScenarios(all, { feature: 'billing' }))).toMatchObject({
      code: 'no-matching-scenario',
      message: 'no scenario\'s name or description matches the feature "billing"',
      exitCode: 2,
    });
  });
});

describe('run ids and URL patterns', () => {
  it('makes sortable, unique run ids', () => {
    const at = new Date('2026-11-23T16:45:12.345Z');
    expect(makeRunId('feature/login', at)).toMatch(/^validate-feature-login-20261123T164512345Z-[0-9a-f]{4}$/);
  });

  it('never gives two concurrent runs the same directory', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'factory-runs-'));
    try {
      const runs = await Promise.all(Array.from({ length: 40 }, () => createRunDir(parent, 'same')));
      expect(new Set(runs.map((r) => r.runDir)).size).toBe(40);
      expect(readdirSync(parent)).toHaveLength(40);
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });

  it('matches a URL by path, glob or full URL', () => {
    const base = 'http://127.0.0.1:3000/';
    expect(urlMatches('/projects/7', 'http://127.0.0.1:3000/projects/7', base)).toBe(true);
    expect(urlMatches('/projects', 'http://127.0.0.1:3000/projects/7', base)).toBe(false);
    expect(urlMatches('*/projects/*', 'http://127.0.0.1:3000/projects/7', base)).toBe(true);
    expect(urlMatches('http://127.0.0.1:3000/a?b=1', 'http://127.0.0.1:3000/a?b=1', base)).toBe(true);
    expect(urlMatches('http://127.0.0.1:3000/a', 'http://127.0.0.1:3000/b', base)).toBe(false);
  });
});

describe('checkNeeds', () => {
  const instance: InstanceView = {
    worktreeId: 'a',
    running: true,
    phase: 'degraded',
    services: { app: 'ready', migrate: 'completed', worker: 'restarting' },
    urls: {},
    env: {},
  };

  it('passes when the needed services are ready or completed, and names the ones that are not', () => {
    expect(() => checkNeeds(instance, [scenario('a', [], { needs: ['app', 'migrate'] })])).not.toThrow();
    expect(
      failureOf(() => checkNeeds(instance, [scenario('b', [], { needs: ['app', 'worker', 'realtime'] })])),
    ).toMatchObject({
      code: 'service-not-ready',
      message: 'scenario "b" needs worker, realtime, but worker is restarting, realtime is not started',
      exitCode: 3,
    });
    // No `needs` means every service.
    expect(failureOf(() => checkNeeds(instance, [scenario('c', [])])).message).toBe(
      'scenario "c" needs worker, but worker is restarting',
    );
  });
});
