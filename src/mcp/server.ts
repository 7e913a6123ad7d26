/**
 * `factory mcp`: a Model Context Protocol server over stdio (the official TypeScript SDK) whose
 * tools act on the worktree instance it was started for (./tools.ts). docs/mcp.md.
 *
 * The SDK's low-level request handlers are used instead of `registerTool`, because the tools'
 * schemas are JSON Schemas already (TypeBox: the same ones the CLI publishes in schema/), not zod.
 * Every call ends in a result, never a crashed server:
 * - arguments that do not match the input schema → a tool error `usage` naming the argument;
 * - a FactoryFailure → a tool error carrying the CLI's `--json` error document
 *   (`{ ok: false, error: { code, message, hint, … }, diagnostics }`);
 * - anything else → a tool error `internal` (a bug in factory, with the message to report).
 * stdout carries the protocol only; nothing else may write there while the server runs.
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import {
  CallToolRequestSchema,
  type CallToolResult,
  ListToolsRequestSchema,
  type Tool as McpTool,
} from '@modelcontextprotocol/sdk/types.js';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { ExitCode, FactoryFailure, isFactoryFailure } from '../lib/failure.js';
import { TOOLS, type Tool, type Where } from './tools.js';

export interface McpServerOptions extends Where {
  /** Reported to clients as the server's version. */
  version: string;
}

/** The schema as plain JSON (TypeBox adds symbol keys JSON drops anyway). */
const plain = (schema: unknown) => JSON.parse(JSON.stringify(schema)) as McpTool['inputSchema'];

function describeArgErrors(errors: ErrorObject[]): string {
  const first = errors[0];
  if (!first) return 'invalid arguments';
  const where = first.instancePath ? `argument ${first.instancePath.slice(1).replaceAll('/', '.')}` : 'arguments';
  if (first.keyword === 'additionalProperties')
    return `unknown argument "${(first.params as { additionalProperty: string }).additionalProperty}"`;
  return `${where} ${first.message ?? 'is invalid'}`;
}

function errorResult(error: unknown): CallToolResult {
  const failure = isFactoryFailure(error)
    ? error
    : new FactoryFailure(
        'internal',
        `internal error (a bug in factory): ${(error as Error)?.message ?? String(error)}`,
        {
          exitCode: ExitCode.internal,
          hint: 'please report it with the tool call that caused it',
        },
      );
  const doc = {
    ok: false,
    error: { code: failure.code, message: failure.message, hint: failure.hint ?? null, ...(failure.details ?? {}) },
    diagnostics: failure.diagnostics,
  };
  return { isError: true, content: [{ type: 'text', text: JSON.stringify(doc, null, 2) }] };
}

export function createMcpServer(opts: McpServerOptions): McpServer {
  const mcp = new McpServer(
    { name: 'factory', version: opts.version },
    {
      capabilities: { tools: { listChanged: false } },
      instructions:
        "Tools for this worktree's running app (factory.yaml): start/stop it, read status, URLs, env and logs, restart a service, run test suites and browser validation.",
    },
  );
  const ajv = new Ajv({ strict: false, allErrors: true });
  const byName = new Map<string, { tool: Tool; check: ValidateFunction }>();
  for (const t of TOOLS) byName.set(t.name, { tool: t, check: ajv.compile(plain(t.input)) });
  const { version: _version, ...where } = opts;

  mcp.server.setRequestHandler(ListToolsRequestSchema, () => ({
    tools: TOOLS.map((t) => ({
      name: t.name,
      description: t.description,
      inputSchema: plain(t.input),
      // MCP wants an object schema at the top; a union of object shapes (config's success | error) gets it said.
      outputSchema: { ...plain(t.output), type: 'object' } as McpTool['outputSchema'],
    })),
  }));

  mcp.server.setRequestHandler(CallToolRequestSchema, async (req, extra): Promise<CallToolResult> => {
    const entry = byName.get(req.params.name);
    if (!entry)
      return errorResult(
        new FactoryFailure('unknown-tool', `no tool "${req.params.name}"`, {
          exitCode: ExitCode.invalid,
          hint: `tools: ${TOOLS.map((t) => t.name).join(', ')}`,
        }),
      );
    const args = req.params.arguments ?? {};
    if (!entry.check(args))
      return errorResult(
        new FactoryFailure('usage', describeArgErrors(entry.check.errors ?? []), {
          exitCode: ExitCode.invalid,
          hint: `see the input schema of "${entry.tool.name}" (tools/list)`,
        }),
      );
    const token = req.params._meta?.progressToken;
    let step = 0;
    // Every progress notification goes out before the result (the SDK sends them asynchronously).
    const pending: Promise<unknown>[] = [];
    const progress = (message: string, done?: number, total?: number) => {
      if (token === undefined) return;
      // The spec wants every notification's value to grow: whole steps when `done` grows, halfway
      // to the next whole step in between (so the value never passes `done + 1`).
      if (total === undefined) step += 1;
      else step = done !== undefined && done > step ? done : step + (Math.floor(step) + 1 - step) / 2;
      const sent = extra
        .sendNotification({
          method: 'notifications/progress',
          params: { progressToken: token, progress: step, ...(total ? { total } : {}), message },
        })
        .catch(() => undefined);
      pending.push(sent);
    };
    try {
      const out = await entry.tool.run(args, { where, progress, signal: extra.signal });
      await Promise.all(pending);
      return { content: [{ type: 'text', text: JSON.stringify(out, null, 2) }], structuredContent: out };
    } catch (error) {
      await Promise.all(pending);
      return errorResult(error);
    }
  });
  return mcp;
}

/** Serve over stdin/stdout until the client closes the connection (or stdin ends). */
export async function serveStdio(opts: McpServerOptions): Promise<void> {
  const mcp = createMcpServer(opts);
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    transport.onclose = () => resolve();
    process.stdin.once('end', () => resolve());
  });
  await mcp.connect(transport);
  await closed;
  await mcp.close();
}
