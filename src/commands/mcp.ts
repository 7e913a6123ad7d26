/**
 * `factory mcp [--worktree-id ID] [-f file]`: serve this worktree's instance as MCP tools over
 * stdio until the client hangs up (src/mcp/, docs/mcp.md). For MCP clients — Claude Code
 * (`claude mcp add factory -- factory mcp`), Codex, OpenCode — not for a terminal.
 * Exit codes: 0 the client closed the connection; 2 an `-f` that is missing or not a regular file
 * (checked before serving, so a client sees the mistake at once instead of from every tool).
 */
import { defineCommand } from 'citty';
import { locateContractFile } from '../contract/index.js';
import { ExitCode } from '../lib/failure.js';
import { packageVersion as version } from '../lib/package-root.js';
import { serveStdio } from '../mcp/index.js';

export default defineCommand({
  meta: { name: 'mcp', description: "Serve this worktree's app as MCP tools over stdio (for agents)." },
  args: {
    'worktree-id': {
      type: 'string',
      description: 'Instance the tools act on (default: FACTORY_WORKTREE_ID, else the git worktree directory name)',
    },
    file: { type: 'string', alias: 'f', description: 'Contract file (default: factory.yaml here or above)' },
  },
  async run({ args }) {
    if (args.file !== undefined) locateContractFile({ cwd: process.cwd(), file: args.file });
    await serveStdio({
      cwd: process.cwd(),
      version: version(),
      ...(args['worktree-id'] ? { worktreeId: args['worktree-id'] } : {}),
      ...(args.file ? { file: args.file } : {}),
    });
    return ExitCode.ok;
  },
});
