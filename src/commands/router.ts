/**
 * `factory router [--port 8088] [--json]`: serve every instance on this machine under stable
 * hostnames, `<service>.<worktree-id>.<project>.localhost:<port>`, until Ctrl-C (src/router/,
 * docs/router.md). With --json one JSON document `{schemaVersion, port, pid, url}` once it listens.
 * Exit codes: 0 stopped by a signal, 2 bad --port, 3 the port is taken or a router already runs.
 */
import { defineCommand } from 'citty';
import { ExitCode, FactoryFailure } from '../lib/failure.js';
import { colors, eprintln, printJson } from '../lib/output.js';
import { startRouter } from '../router/index.js';

export default defineCommand({
  meta: { name: 'router', description: 'Route <service>.<worktree-id>.<project>.localhost to every instance here.' },
  args: {
    port: { type: 'string', description: 'Port to listen on, on loopback (default 8088; 80 needs root)' },
    json: {
      type: 'boolean',
      description: 'Print {schemaVersion, port, pid, url} once listening (schema/router.schema.json)',
    },
  },
  async run({ args }) {
    const port = args.port === undefined ? undefined : Number(args.port);
    if (port !== undefined && !(Number.isInteger(port) && port >= 1 && port <= 65_535))
      throw new FactoryFailure('usage', `--port expects a port number (1–65535), got "${args.port}"`, {
        exitCode: ExitCode.invalid,
      });
    const router = await startRouter(port === undefined ? {} : { port });
    const url = `http://localhost:${router.port}/`;
    if (args.json) printJson({ port: router.port, pid: router.state.pid, url });
    else {
      eprintln(
        `${colors.green('router')} on ${colors.cyan(url)} — <service>.<worktree-id>.<project>.localhost:${router.port}`,
      );
      eprintln(colors.dim('Ctrl-C stops it'));
    }
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await router.close();
    return ExitCode.ok;
  },
});
