/**
 * Sessions move between directories: a run in one worktree, captured into your HOME for the
 * repository, resumed by a later run in another worktree (whose sandbox HOME never saw it). The fake
 * agent keeps session files as claude and pi do (FAKE_AGENT_SESSION_FILES) and resumes only what
 * the real CLIs can, so a session whose recorded directory was not rewritten fails here as it would
 * there (pi refuses a removed worktree's directory; claude files sessions by directory).
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createAgentProvider } from '../../src/agent-loop/providers/index.js';
import { run } from '../../src/agent-loop/run.js';
import { claudeProjectDir, piSessionDir } from '../../src/agent-loop/sessions.js';
import { bwrap } from '../../src/sandboxes/index.js';
import { makeRepo, scripted, type TestRepo } from './helpers.js';

let repo: TestRepo | undefined;
const savedHome = process.env.HOME;
afterEach(() => {
  process.env.HOME = savedHome;
  repo?.cleanup();
  repo = undefined;
});

const cwdsIn = (file: string): string[] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => (JSON.parse(l) as { cwd?: string }).cwd)
    .filter((c): c is string => c !== undefined);

describe('session capture and resume across worktrees (bwrap)', () => {
  for (const agentName of ['claude-code', 'pi'] as const) {
    it(`${agentName}: captured into HOME for the repository, resumed from another worktree`, async () => {
      repo = makeRepo();
      const userHome = join(repo.root, 'user-home');
      mkdirSync(userHome);
      process.env.HOME = userHome; // capture writes into "your" HOME: a temp one here
      const common = {
        agent: createAgentProvider(agentName),
        sandbox: bwrap(),
        cwd: repo.repo,
        env: { PATH: repo.path, FAKE_AGENT_SESSION_FILES: '1' },
        mounts: repo.mounts,
        logging: { type: 'none' } as const,
      };
      const first = await run({
        ...common,
        name: `${agentName}-first`,
        branchStrategy: { type: 'merge-to-head' },
        promptTemplate: scripted([
          { subagent: 'explore' },
          { write: 'a.txt', content: 'a\n' },
          { commit: 'a' },
          { say: 'done' },
        ]),
      });
      expect(first.worktreeKept).toBe(false); // its directory is gone
      const captured = first.iterations[0]?.sessionFilePath as string;
      const folder =
        agentName === 'claude-code'
          ? join(userHome, '.claude/projects', claudeProjectDir(repo.repo))
          : join(userHome, '.pi/agent/sessions', piSessionDir(repo.repo));
      expect(captured.startsWith(`${folder}/`)).toBe(true);
      expect(new Set(cwdsIn(captured))).toEqual(new Set([repo.repo]));
      if (agentName === 'claude-code') {
        const sub = join(folder, first.sessionId as string, 'subagents', 'agent-explore.jsonl');
        expect(cwdsIn(sub)).toEqual([repo.repo]);
      }

      const second = await run({
        ...common,
        name: `${agentName}-second`,
        branchStrategy: { type: 'branch', branch: `agent/${agentName}-second` },
        resumeSession: first.sessionId as string,
        promptTemplate: scripted([], 'Go on.'),
      });
      expect(second.text).toMatch(new RegExp(`^resumed ${first.sessionId} with \\d+ earlier entries`));
      expect(second.sessionId).toBe(first.sessionId);
      // The fake resumed it only because the copy in the second sandbox records the second
      // worktree; the capture in HOME now holds the second run too, filed for the repository.
      expect(second.iterations[0]?.sessionFilePath).toBe(captured);
      expect(readFileSync(captured, 'utf8')).toContain('Go on.');
      expect(new Set(cwdsIn(captured))).toEqual(new Set([repo.repo]));
    });
  }
});
