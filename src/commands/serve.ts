/**
 * `factory serve [--port 8090] [--host 127.0.0.1] [--public-url URL] [--json]`: the dashboard and
 * JSON API over the job store and this machine's instances, until Ctrl-C (src/server/,
 * docs/dashboard.md). A --host other than loopback needs the token: generated on first use, stored
 * with mode 600, and printed (as a login link) only then. With --json one JSON document once it
 * listens (schema/serve.schema.json).
 * Exit codes: 0 stopped by a signal, 2 a bad flag or an address this machine does not have, 3 the
 * port is taken or the token file is readable by others.
 */
import { defineCommand } from 'citty';
import { ExitCode } from '../lib/failure.js';
import { onInterrupt } from '../lib/interrupt.js';
import { colors, eprintln, printJson } from '../lib/output.js';
import { DEFAULT_PORT, startServer } from '../server/index.js';

export default defineCommand({
  meta: { name: 'serve', description: 'Serve the dashboard and JSON API: jobs, their evidence, and instances.' },
  args: {
    port: { type: 'string', description: `Port to listen on (default ${DEFAULT_PORT})` },
    host: {
      type: 'string',
      description: 'Address to bind (default 127.0.0.1; any other address needs the token, see docs/dashboard.md)',
    },
    'public-url': {
      type: 'string',
      description: 'The URL people reach it by (a proxy or tunnel); links and the allowed origin use it',
    },
    json: {
      type: 'boolean',
      description:
        'Print {schemaVersion, url, host, port, pid, tokenFile, loginUrl} once listening (schema/serve.schema.json)',
    },
  },
  async run({ args }) {
    const server = await startServer({
      ...(args.port !== undefined ? { port: Number(args.port) } : {}),
      ...(args.host !== undefined ? { host: args.host } : {}),
      ...(args['public-url'] !== undefined ? { publicUrl: args['public-url'] } : {}),
    });
    if (args.json) {
      printJson({
        url: server.url,
        host: server.host,
        port: server.port,
        pid: process.pid,
        tokenFile: server.token?.path ?? null,
        loginUrl: server.token?.loginUrl ?? null,
      });
    } else {
      eprintln(`${colors.green('dashboard')} on ${colors.cyan(server.url)}`);
      if (server.token?.loginUrl) {
        eprintln(`token generated (shown once, kept in ${server.token.path}, mode 600). Log in with:`);
        eprintln(`  ${colors.cyan(server.token.loginUrl)}`);
      } else if (server.token) {
        eprintln(`needs its token (in ${server.token.path}): open ${server.url}login?token=<token>`);
      }
      eprintln(colors.dim('Ctrl-C stops it'));
    }
    await new Promise<void>((resolve) => {
      const off = onInterrupt(() => {
        off();
        resolve();
      });
    });
    await server.close();
    return ExitCode.ok;
  },
});
