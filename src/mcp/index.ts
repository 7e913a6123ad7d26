/** The MCP entry point (`factory mcp`): a stdio server whose tools drive this worktree's instance. */
export { serveStdio } from './server.js';
