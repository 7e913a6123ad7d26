/** The MCP entry point (`factory mcp`): a stdio server whose tools drive this worktree's instance. */
export { createMcpServer, serveStdio, type McpServerOptions } from './server.js';
export { TOOLS, type Tool, type ToolContext, type Where } from './tools.js';
