/**
 * Measures what the PRD walker costs on top of its agents (not a test; `npx tsx bench/prd-walk.ts`).
 * A local PRD with 5 AFK tasks (each writes one file) and the review, walked in-process:
 *   - direct: the fake agent spawned by the test runner (no agent loop) — the walker's own work
 *     (backlog files, worktree, ledger commits, markDone) plus ~40 ms of node start per agent;
 *   - agent loop, sandbox none / bwrap: the real `run()` per task (worktree reuse, sandbox, stream).
 * Prints the median over RUNS walks of the total and per task (6 agent runs: 5 tasks + review).
 */
import { performance } from 'node:perf_hooks';
import { agentLoopRunner } from '../src/prd/agent-runner.js';
import type { AgentRunner } from '../src/prd/runner.js';
import { walkPrd } from '../src/prd/walk.js';
import { commandAgent } from '../src/agent-loop/providers/command.js';
import { LocalBacklog } from '../src/backlog/local.js';
import { bwrap } from '../src/sandboxes/providers/bwrap.js';
import { noSandbox } from '../src/sandboxes/providers/none.js';
import { FAKE_AGENT, fakeAgentRunner } from '../test/prd/helpers/fake-runner.js';
import { createRepo, DONE, script } from '../test/prd/helpers/repo.js';

const RUNS = Number(process.env.RUNS ?? 5);
const TASKS = 5;

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

async function once(agent: AgentRunner): Promise<number> {
  const files: Record<string, string> = { 'prds/1-m/prd.md': `# M\n\n${script([DONE])}\n` };
  for (let i = 1; i <= TASKS; i++)
    files[`prds/1-m/tasks/0${i}-t.md`] =
      `---\nkind: afk\n---\n# T${i}\n\n${script([{ write: `f${i}.txt`, content: 'x\n' }, DONE])}\n`;
  const repo = createRepo(files);
  try {
    const t0 = performance.now();
    const r = await walkPrd({
      root: repo.root,
      source: new LocalBacklog({ root: repo.root }),
      prd: 1,
      agent,
      resumeCommand: 'x',
    });
    if (r.status !== 'reviewed') throw new Error(`walk ended ${r.status}: ${JSON.stringify(r)}`);
    return performance.now() - t0;
  } finally {
    repo.dispose();
  }
}

const variants: [string, AgentRunner][] = [
  ['direct fake agent', fakeAgentRunner()],
  ['agent loop, sandbox none', agentLoopRunner({ agent: commandAgent(FAKE_AGENT), sandbox: noSandbox(), app: false })],
  ['agent loop, sandbox bwrap', agentLoopRunner({ agent: commandAgent(FAKE_AGENT), sandbox: bwrap(), app: false })],
];
for (const [name, agent] of variants) {
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) samples.push(await once(agent));
  const total = median(samples);
  console.log(
    `${name}: ${total.toFixed(0)} ms for ${TASKS} tasks + review (${(total / (TASKS + 1)).toFixed(0)} ms per agent run)`,
  );
}
