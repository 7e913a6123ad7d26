/**
 * `factory agent run --mcp`: the agent CLI is handed `factory mcp` for its run's instance the way
 * that CLI reads MCP config (claude --mcp-config, codex -c mcp_servers.*, opencode
 * OPENCODE_CONFIG_CONTENT). The fake agent reads it back like the real CLI, spawns the server inside
 * bwrap with the MCP SDK's client, calls tools on its own running app and commits what it got.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { runFactory } from '../helpers/cli.js';
import { processesMentioning, svc } from '../services/helpers.js';
import { git, makeRepo, scripted, type TestRepo } from './helpers.js';

let repo: TestRepo | undefined;
afterEach(async () => {
  if (repo) {
    const root = repo.root;
    const deadline = Date.now() + 10_000;
    while (processesMentioning(root).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(processesMentioning(root)).toEqual([]);
  }
  repo?.cleanup();
  repo = undefined;
});

const contract = `name: agent-mcp
ports: [api]
services:
  api:
    command: ${svc('--listen', 'API_PORT', '--say', 'api-up')}
    port: api
    healthcheck: { http: "http://127.0.0.1:\${API_PORT}/health", interval: 20ms }
    url: http://127.0.0.1:\${API_PORT}
`;

describe('factory agent run --mcp', () => {
  for (const agent of ['claude-code', 'codex', 'opencode']) {
    it(`${agent}: drives its own running app through factory's MCP tools inside bwrap`, async () => {
      repo = makeRepo({ 'factory.yaml': contract, '.gitignore': '.factory/\n' });
      const name = `mcp-${agent}`;
      const r = await runFactory(
        [
          'agent',
          'run',
          '--agent',
          agent,
          '--sandbox',
          'bwrap',
          '--mount',
          `${repo.bin}:ro`,
          '--merge-to-head',
          '--name',
          name,
          '--mcp',
          '--json',
          '--prompt',
          scripted([
            { mcp: { tool: 'status', write: 'status.json' } },
            { mcp: { tool: 'logs', arguments: { service: 'api', filter: 'api-up' }, write: 'logs.json' } },
            { commit: 'what the MCP tools said' },
            { say: '<promise>COMPLETE</promise>' },
          ]),
        ],
        { cwd: repo.repo, env: { PATH: repo.path }, timeoutMs: 120_000 },
      );
      expect(r.code, r.stderr).toBe(0);
      const status = JSON.parse(git(repo.repo, 'show', 'HEAD:status.json'));
      expect(status).toMatchObject({ schemaVersion: 1, worktreeId: name, phase: 'running', healthy: true });
      expect(status.services.map((s: { name: string; state: string }) => [s.name, s.state])).toEqual([
        ['api', 'ready'],
      ]);
      const logs = JSON.parse(git(repo.repo, 'show', 'HEAD:logs.json'));
      expect(logs.lines.map((l: { line: string }) => l.line)).toEqual([`api-up on ${status.ports.api}`]);
    }, 150_000);
  }

  it('refuses --mcp for an agent factory cannot hand MCP config, before anything is created', async () => {
    repo = makeRepo({ 'factory.yaml': contract });
    const r = await runFactory(['agent', 'run', '--agent', 'pi', '--mcp', '--prompt', 'x'], {
      cwd: repo.repo,
      env: { PATH: repo.path },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'error the pi agent cannot be given an MCP server by factory\n  hint: use --mcp with claude-code, codex or opencode, or add "factory mcp" to its own MCP config (docs/mcp.md)\n',
    );
  });

  it('refuses --mcp in a repo without factory.yaml', async () => {
    repo = makeRepo();
    const r = await runFactory(['agent', 'run', '--mcp', '--prompt', 'x'], {
      cwd: repo.repo,
      env: { PATH: repo.path },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error --mcp needs a factory.yaml in ');
    expect(r.stderr).toContain('hint: run "factory init" to write one, or drop --mcp');
  });
});
