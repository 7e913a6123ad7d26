/**
 * `factory init [--force] [--json]`: write a starter factory.yaml from what the repository shows
 * (lockfiles, package.json scripts, workspaces, a compose file, a Procfile), git-ignore `.factory/`,
 * and say whether it would start on this machine — or precisely why not (a missing package
 * manager or program, no usable compose tool: the runtime's own preflight).
 */
import { defineCommand } from 'citty';
import { initContract } from '../contract/index.js';
import { ExitCode, isFactoryFailure } from '../lib/failure.js';
import { colors, printJson, println } from '../lib/output.js';
import { composePreflight } from '../services/index.js';

type Blocker = { code: string; message: string; hint: string | null };

/** The compose preflight `factory start` runs, as a blocker when it fails. */
async function composeBlocker(services: string[]): Promise<Blocker | undefined> {
  if (services.length === 0) return undefined;
  try {
    await composePreflight(services, process.env);
    return undefined;
  } catch (e) {
    if (!isFactoryFailure(e)) throw e;
    return { code: e.code, message: e.message, hint: e.hint ?? null };
  }
}

export default defineCommand({
  meta: { name: 'init', description: 'Write a starter factory.yaml from what this repository uses.' },
  args: {
    force: { type: 'boolean', description: 'Overwrite an existing factory.yaml' },
    json: { type: 'boolean', description: 'Print what was detected and written (schema/init.schema.json)' },
  },
  async run({ args }) {
    const r = initContract({ force: Boolean(args.force) });
    const d = r.detected;
    const compose = await composeBlocker(d.compose.map((s) => s.name));
    const blockers: Blocker[] = [...r.blockers, ...(compose ? [compose] : [])];
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
        startsHere: blockers.length === 0,
        blockers,
        next: r.next,
      });
      return ExitCode.ok;
    }
    const found = [
      d.packageManager && `package manager ${d.packageManager}`,
      d.scripts.length > 0 && `scripts ${d.scripts.join(', ')}`,
      d.workspaceApps.length > 0 && `workspaces with a dev script (${d.workspaceApps.map((w) => w.dir).join(', ')})`,
      d.composeFile && `${d.composeFile} (${d.composeServices.length} services)`,
      d.procfile.length > 0 && `Procfile (${d.procfile.map((p) => p.name).join(', ')})`,
    ].filter(Boolean);
    println(`${colors.green('✓')} ${r.overwritten ? 'overwrote' : 'wrote'} ${r.file}`);
    println(`  detected: ${found.length ? found.join('; ') : 'nothing (a commented example service was written)'}`);
    if (r.services.length) println(`  services: ${r.services.join(', ')}`);
    if (r.tests.length) println(`  tests: ${r.tests.join(', ')}`);
    if (r.gitignoreUpdated) println('  added .factory/ to .gitignore');
    if (blockers.length > 0) {
      println(`${colors.red('✗')} it will not start on this machine yet:`);
      for (const b of blockers) {
        println(`  - ${b.message.split('\n').join('\n    ')}`);
        if (b.hint) println(`    ${colors.cyan('hint:')} ${b.hint}`);
      }
    }
    const steps = r.next.length ? r.next.join(', then ') : 'add a service, then factory check';
    println(`next: review it, then ${blockers.length ? 'fix the above and run ' : ''}${steps}`);
    return ExitCode.ok;
  },
});
