import { execFileSync, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { COMPLETION_SIGNAL } from '../../../src/prd/prompt.js';
import type { AgentRunner, AgentTaskResult } from '../../../src/prd/runner.js';

export const FAKE_AGENT = fileURLToPath(new URL('../../fixtures/agents/fake-agent.mjs', import.meta.url));

/**
 * An AgentRunner that runs the real fake agent executable (plain-text format, prompt on stdin) in
 * the worktree, in its own process group, and reads its commits with real git. It is the walker's
 * test double for the agent loop, not for git or processes.
 */
export function fakeAgentRunner(calls: string[] = []): AgentRunner {
  return {
    runTask({ worktree, prompt, signal, logFile, name }) {
      calls.push(name);
      const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: worktree.path, encoding: 'utf8' }).trim();
      return new Promise<AgentTaskResult>((resolve, reject) => {
        const child = spawn(process.execPath, [FAKE_AGENT, '--fake-format=text'], {
          cwd: worktree.path,
          detached: true,
          stdio: ['pipe', 'pipe', 'pipe'],
        });
        const log = createWriteStream(logFile);
        let out = '';
        child.stdout.setEncoding('utf8').on('data', (d: string) => {
          out += d;
          log.write(d);
        });
        child.stderr.pipe(log, { end: false });
        const kill = () => {
          try {
            if (child.pid) process.kill(-child.pid, 'SIGKILL');
          } catch {
            // gone
          }
        };
        signal.addEventListener('abort', kill, { once: true });
        child.on('error', reject);
        child.on('close', (code) => {
          signal.removeEventListener('abort', kill);
          log.end();
          const commits = execFileSync('git', ['log', '--reverse', '--format=%H%x1f%s', `${head}..HEAD`], {
            cwd: worktree.path,
            encoding: 'utf8',
          })
            .split('\n')
            .filter(Boolean)
            .map((l) => {
              const [sha = '', subject = ''] = l.split('\x1f');
              return { sha, subject };
            });
          const dirty =
            execFileSync('git', ['status', '--porcelain'], { cwd: worktree.path, encoding: 'utf8' }).trim() !== '';
          if (code !== 0) return resolve({ outcome: 'failed', commits, message: `exit ${code}` });
          if (!out.includes(COMPLETION_SIGNAL))
            return resolve({ outcome: 'incomplete', commits, message: 'no completion signal' });
          resolve({ outcome: commits.length === 0 && !dirty ? 'no-changes' : 'complete', commits });
        });
        child.stdin.end(prompt);
      });
    },
  };
}
