/**
 * `factory init [--force] [--json]`: write a starter factory.yaml from what the repository shows
 * (lockfiles, package.json scripts, a compose file, a Procfile) and git-ignore `.factory/`.
 */
import { defineCommand } from 'citty';
import { initContract } from '../contract/index.js';
import { ExitCode } from '../lib/failure.js';
import { colors, printJson, println } from '../lib/output.js';

export default defineCommand({
  meta: { name: 'init', description: 'Write a starter factory.yaml from what this repository uses.' },
  args: {
    force: { type: 'boolean', description: 'Overwrite an existing factory.yaml' },
    json: { type: 'boolean', description: 'Print what was detected and written (schema/init.schema.json)' },
  },
  run({ args }) {
    const r = initContract({ force: Boolean(args.force) });
    const d = r.detected;
    if (args.json) {
      printJson({
        ok: true,
        file: r.file,
        overwritten: r.overwritten,
        gitignoreUpdated: r.gitignoreUpdated,
        detected: {
          packageManager: d.packageManager ?? null,
          scripts: d.scripts,
          composeFile: d.composeFile ?? null,
          composeServices: d.composeServices,
          procfile: d.procfile.map((p) => p.name),
        },
        services: r.services,
        tests: r.tests,
      });
      return ExitCode.ok;
    }
    const found = [
      d.packageManager && `package manager ${d.packageManager}`,
      d.scripts.length > 0 && `scripts ${d.scripts.join(', ')}`,
      d.composeFile && `${d.composeFile} (${d.composeServices.length} services)`,
      d.procfile.length > 0 && `Procfile (${d.procfile.map((p) => p.name).join(', ')})`,
    ].filter(Boolean);
    println(`${colors.green('✓')} ${r.overwritten ? 'overwrote' : 'wrote'} ${r.file}`);
    println(`  detected: ${found.length ? found.join('; ') : 'nothing (a commented example service was written)'}`);
    if (r.services.length) println(`  services: ${r.services.join(', ')}`);
    if (r.tests.length) println(`  tests: ${r.tests.join(', ')}`);
    if (r.gitignoreUpdated) println('  added .factory/ to .gitignore');
    println('next: review it, then run "factory check"');
    return ExitCode.ok;
  },
});
