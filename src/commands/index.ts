import type { CommandDef } from 'citty';

/**
 * Every subcommand, registered lazily so that `factory status` loads only what status needs.
 * One file per subcommand, each default-exporting a `defineCommand` whose `run` returns its exit code
 * (or throws a FactoryFailure). Keep the list sorted by area; test/e2e/help.test.ts snapshots --help
 * for every entry.
 */
// biome-ignore lint/suspicious/noExplicitAny: citty's CommandDef is invariant in its args; a registry of differently-typed commands needs any
export type LazyCommand = () => Promise<CommandDef<any>>;

// biome-ignore lint/suspicious/noExplicitAny: as above
const load = <M extends { default: CommandDef<any> }>(p: Promise<M>) => p.then((m) => m.default);

export const commands = {
  // contract
  check: () => load(import('./check.js')),
  config: () => load(import('./config.js')),
  init: () => load(import('./init.js')),
  // runtime
  start: () => load(import('./start.js')),
  status: () => load(import('./status.js')),
  urls: () => load(import('./urls.js')),
  logs: () => load(import('./logs.js')),
  stop: () => load(import('./stop.js')),
  restart: () => load(import('./restart.js')),
  clean: () => load(import('./clean.js')),
  ps: () => load(import('./ps.js')),
  env: () => load(import('./env.js')),
  // setup, tests, validation
  setup: () => load(import('./setup.js')),
  test: () => load(import('./test.js')),
  validate: () => load(import('./validate.js')),
  // agents
  agent: () => load(import('./agent.js')),
  mcp: () => load(import('./mcp.js')),
  // jobs
  job: () => load(import('./job.js')),
  worker: () => load(import('./worker.js')),
  bot: () => load(import('./bot.js')),
  serve: () => load(import('./serve.js')),
  router: () => load(import('./router.js')),
  doctor: () => load(import('./doctor.js')),
} satisfies Record<string, LazyCommand>;

export type CommandName = keyof typeof commands;

/** The argument layer src/cli.ts runs before a command: every option value checked (./ui/options.ts). */
export { checkArgv } from './ui/options.js';
