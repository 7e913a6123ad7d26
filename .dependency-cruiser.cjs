/**
 * The architecture's import rules as a test (docs/architecture.md "Layers and folders", ADR 0070).
 * `npm run depcruise` (part of `npm test`) fails on any import this file forbids;
 * test/health/layering.test.ts proves that a forbidden import does fail it.
 *
 * Three kinds of rule:
 * 1. Layering: a folder imports only the folders below it (LAYERS). Data flows down.
 * 2. Entry points: nothing imports an entry point (src/cli.ts, src/commands, src/server, src/mcp,
 *    src/bots); entry points never import each other — except that a `commands/` file that starts a
 *    long-running entry point (`serve`, `mcp`, `bot`) calls it through the entry point's index.
 * 3. Public faces: from outside its folder, a layer is reached through its index.ts (or a light
 *    entry listed in ENTRIES, for a hot path that must not load the whole layer), never its
 *    internals. src/lib is a set of independent leaf modules and has no index.
 */

/** folder under src/ → the folders under src/ it may import (besides itself). */
const LIBRARY = {
  lib: [],
  contract: ['lib'],
  services: ['contract', 'lib'],
  sandboxes: ['contract', 'lib'],
  setup: ['services', 'contract', 'lib'],
  'test-suites': ['setup', 'services', 'contract', 'lib'],
  validation: ['services', 'contract', 'lib'],
  github: ['lib'], // wave 2: one GitHub REST client (backlog and publish use it)
  backlog: ['github', 'lib'],
  'agent-loop': ['sandboxes', 'services', 'contract', 'lib'],
  prd: ['agent-loop', 'backlog', 'test-suites', 'setup', 'sandboxes', 'contract', 'lib'],
  publish: ['github', 'lib'], // wave 2
  // `factory doctor`: the machine's prerequisites, probed with the layers' own finders and preflights
  doctor: ['agent-loop', 'validation', 'services', 'contract', 'lib'],
  // wave 2: the job pipeline
  jobs: [
    'prd',
    'agent-loop',
    'validation',
    'test-suites',
    'setup',
    'services',
    'sandboxes',
    'publish',
    'backlog',
    'github',
    'contract',
    'lib',
  ],
};
const LIBRARY_FOLDERS = Object.keys(LIBRARY);
/**
 * The entry points besides src/cli.ts: long-running processes a command starts (wave 2: the
 * dashboard server, the MCP server, the Telegram bot, the stable-URL router).
 */
const ENTRY_FOLDERS = ['server', 'mcp', 'bots/telegram', 'router'];
/** Every folder directly under src/ (bots/ holds one folder per chat channel). */
const KNOWN_FOLDERS = [...LIBRARY_FOLDERS, ...ENTRY_FOLDERS, 'commands', 'bots'];

/**
 * The files a layer may be imported through from outside its folder. index.ts is the layer's whole
 * public API; a light entry re-exports only a cheap part of it for a hot path.
 */
const ENTRIES = {
  // `factory status` / `urls` / `logs` are benchmarked against `node -e 0` (docs/performance.md):
  // they read state.json and /proc, and must not load the supervisor, leases or compose modules
  // that services/index.ts re-exports.
  // light.ts: start, stop, clean, restart, env without the schemas, ps or the foreground supervisor (ADR 0161).
  services: ['index.ts', 'read.ts', 'light.ts'],
  // the contract's file-finding rule, for services/paths.ts on that same hot path (no compiler);
  // light.ts: loading through the compiled-contract cache and interpolation, without the schemas,
  // the YAML parser or the validator (ADR 0161).
  contract: ['index.ts', 'locate.ts', 'light.ts'],
  // `factory setup` / `test`: the steps without the output schema's TypeBox (ADR 0161)
  setup: ['index.ts', 'light.ts'],
  // `factory test`: running the suites without the output schema's TypeBox (ADR 0161)
  'test-suites': ['index.ts', 'light.ts'],
  // the bot's published shapes (its allowlist file, its --json log), for the schema registry
  'bots/telegram': ['index.ts', 'schema.ts'],
  // the dashboard's JSON API shapes, for the schema registry (src/schemas.ts) without the server
  server: ['index.ts', 'schema.ts'],
};

const esc = (s) => s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
const under = (folders) => `^src/(${folders.map(esc).join('|')})/`;

const layering = LIBRARY_FOLDERS.map((folder) => ({
  name: `layer-${folder.replace('/', '-')}`,
  comment: `src/${folder}/ may import only ${LIBRARY[folder].length ? LIBRARY[folder].map((f) => `src/${f}/`).join(', ') : 'node built-ins and packages'} (docs/architecture.md)`,
  severity: 'error',
  from: { path: `^src/${esc(folder)}/` },
  to: { path: '^src/', pathNot: under([folder, ...LIBRARY[folder]]) },
}));

const publicFaces = [...LIBRARY_FOLDERS.filter((f) => f !== 'lib'), ...ENTRY_FOLDERS].map((folder) => {
  const entries = ENTRIES[folder] ?? ['index.ts'];
  return {
    name: `through-index-${folder.replace('/', '-')}`,
    comment: `from outside src/${folder}/, import it through ${entries.map((e) => `src/${folder}/${e}`).join(' or ')}, not its internals`,
    severity: 'error',
    from: { pathNot: `^src/${esc(folder)}/` },
    to: {
      path: `^src/${esc(folder)}/`,
      pathNot: `^src/${esc(folder)}/(${entries.map(esc).join('|')})$`,
    },
  };
});

module.exports = {
  forbidden: [
    ...layering,
    {
      name: 'no-import-of-cli',
      comment: 'src/cli.ts is the process entry (the one place that exits); nothing imports it',
      severity: 'error',
      from: {},
      to: { path: '^src/cli\\.ts$' },
    },
    {
      name: 'no-import-of-commands',
      comment: 'src/commands/ is the CLI; only src/cli.ts imports it (commands hold no logic the library lacks)',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/cli\\.ts$', '^src/commands/'] },
      to: { path: '^src/commands/' },
    },
    {
      name: 'cli-imports-only-commands-and-lib',
      comment: 'src/cli.ts maps argv to a command and a result to an exit code; the rest is in commands/',
      severity: 'error',
      from: { path: '^src/cli\\.ts$' },
      to: { path: '^src/', pathNot: ['^src/commands/index\\.ts$', '^src/lib/', '^src/contract/index\\.ts$'] },
    },
    ...ENTRY_FOLDERS.map((folder) => ({
      name: `no-import-of-entry-${folder.replace('/', '-')}`,
      comment: `src/${folder}/ is an entry point: no library layer or other entry point imports it; a command that starts it calls its index`,
      severity: 'error',
      // The schema registry (src/schemas.ts) publishes an entry point's output shapes (see ENTRIES).
      from: { path: '^src/', pathNot: ['^src/commands/', `^src/${esc(folder)}/`, '^src/schemas\\.ts$'] },
      to: { path: `^src/${esc(folder)}/` },
    })),
    {
      name: 'schemas-take-only-an-entry-schema',
      comment:
        "src/schemas.ts (the published JSON Schemas) may load an entry point's schema.ts (pure TypeBox), nothing else of it",
      severity: 'error',
      from: { path: '^src/schemas\\.ts$' },
      to: { path: under(ENTRY_FOLDERS), pathNot: '/schema\\.ts$' },
    },
    ...ENTRY_FOLDERS.map((folder) => ({
      name: `entry-${folder.replace('/', '-')}-uses-the-library`,
      comment: `src/${folder}/ uses the library layers only, never commands/, src/cli.ts or another entry point`,
      severity: 'error',
      from: { path: `^src/${esc(folder)}/` },
      to: { path: '^src/', pathNot: under([folder, ...LIBRARY_FOLDERS]) },
    })),
    {
      name: 'library-index-is-the-library',
      comment: 'src/index.ts (the package API) re-exports the library layers through their indexes',
      severity: 'error',
      from: { path: '^src/index\\.ts$' },
      to: { path: '^src/', pathNot: under(LIBRARY_FOLDERS) },
    },
    ...publicFaces,
    {
      name: 'known-folders-only',
      comment:
        'every folder under src/ has a row in docs/architecture.md and in this file (LIBRARY or ENTRY_FOLDERS); add it there first',
      severity: 'error',
      from: {},
      to: { path: '^src/[^/]+/', pathNot: under(KNOWN_FOLDERS) },
    },
    {
      name: 'known-folders-only-from',
      comment: 'as known-folders-only, for a module in an unknown folder that imports something',
      severity: 'error',
      from: { path: '^src/[^/]+/', pathNot: under(KNOWN_FOLDERS) },
      to: {},
    },
    {
      name: 'no-circular-between-layers',
      comment: 'a cycle that crosses folders means the layering is wrong',
      severity: 'error',
      from: { path: '^src/([^/]+)/' },
      to: { circular: true, path: '^src/', pathNot: '^src/$1/' },
    },
    {
      name: 'src-stands-alone',
      comment: 'src/ is the package: it never imports test/, bench/, scripts/ or examples/',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(test|bench|scripts|examples)/' },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'an import that resolves to nothing is a typo or a missing dependency',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['^src/contract/generated/'] },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
