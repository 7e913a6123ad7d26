/**
 * `npm run build`'s second step (ADR 0163): bundles the CLI and the supervisor into dist/bundle/
 * with esbuild, one chunk per command, so a command loads a handful of files instead of the ~30–70
 * ESM modules tsc emits (the ESM loader's per-file work is most of a short command's own time).
 * dist/ (tsc's output) stays the library (`main`, `exports`); bin/factory.js runs the bundle.
 *
 * Own code and the small packages of the hot path are bundled; every other package stays an import
 * of node_modules, loaded only by the commands that use it (native bindings, packages that find
 * their own files, and the large ones a cold command loads on demand anyway).
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = join(ROOT, 'dist', 'bundle');

/** Packages the bundle holds: what `status`, `start`, `env`, `setup` and `check` load with a warm cache. */
const BUNDLED = new Set(['citty', 'picocolors', 'proper-lockfile', 'graceful-fs', 'retry', 'signal-exit']);

const packageName = (spec: string) =>
  spec
    .split('/')
    .slice(0, spec.startsWith('@') ? 2 : 1)
    .join('/');

const externalPackages: Plugin = {
  name: 'external-packages',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('node:') || BUNDLED.has(packageName(args.path))) return undefined;
      return { path: args.path, external: true };
    });
  },
};

rmSync(OUT, { recursive: true, force: true });
await build({
  entryPoints: { cli: join(ROOT, 'src/cli.ts'), 'supervisor-main': join(ROOT, 'src/services/supervisor-main.ts') },
  outdir: OUT,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Flat: code that finds a sibling by `new URL('./x.js', import.meta.url)` finds it in dist/bundle/.
  chunkNames: '[name]-[hash]',
  sourcemap: 'linked',
  plugins: [externalPackages],
  // The bundled CommonJS packages (proper-lockfile) call require() for Node's own modules.
  banner: {
    js: "import { createRequire as __factoryRequire } from 'node:module';\nconst require = __factoryRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
