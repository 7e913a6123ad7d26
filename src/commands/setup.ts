/**
 * `factory setup`: run the contract's setup steps for an instance, skipping the ones whose inputs
 * have not changed since they last succeeded. Exit 0 when every step ran or was skipped, 1 when a
 * step failed (its name, reason, log and output tail are reported), 2 for a bad contract or flag.
 */
import { defineCommand } from 'citty';
import { loadContract } from '../contract/light.js';
import { ExitCode } from '../lib/failure.js';
import { colors, eprintln, printJson, println } from '../lib/output.js';
import type { SetupEvent, SetupStepResult } from '../setup/index.js';
import { resolveInstanceRef, runSetup } from '../setup/light.js';

function seconds(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

function renderEnd(r: SetupStepResult): void {
  switch (r.status) {
    case 'skipped':
      eprintln(`${colors.dim('○')} ${r.name} ${colors.dim(`skipped: ${r.reason}`)}`);
      return;
    case 'ran':
      eprintln(`${colors.green('✓')} ${r.name} ${colors.dim(`ran in ${seconds(r.durationMs)} (${r.reason})`)}`);
      return;
    case 'failed':
      eprintln(`${colors.red('✗')} ${r.name} ${colors.red(r.reason)}`);
      if (r.log) eprintln(`  ${colors.dim('log:')} ${r.log}`);
      return;
    case 'not-run':
      return;
  }
}

export default defineCommand({
  meta: {
    name: 'setup',
    description: "Run the contract's setup steps for an instance (skips steps whose inputs are unchanged).",
  },
  args: {
    'worktree-id': { type: 'string', description: 'Instance to set up (default: this worktree)' },
    file: { type: 'string', alias: 'f', description: 'Contract file (default: factory.yaml here or above)' },
    force: { type: 'boolean', description: 'Run every step even if its inputs are unchanged' },
    json: { type: 'boolean', description: 'Print one JSON result (schema/setup.schema.json)' },
  },
  async run({ args }) {
    const contract = await loadContract({ file: args.file });
    const instance = await resolveInstanceRef(contract, args['worktree-id']);
    const abort = new AbortController();
    const onSigint = () => abort.abort();
    process.once('SIGINT', onSigint);
    const onEvent = (e: SetupEvent) => {
      if (args.json) return;
      if (e.type === 'step-start') eprintln(`${colors.cyan('→')} ${e.step} ${colors.dim(`(${e.reason})`)}`);
      else if (e.type === 'step-output') process.stderr.write(e.chunk.replace(/^(?=.)/gm, colors.dim('  │ ')));
      else renderEnd(e.result);
    };
    try {
      const result = await runSetup({ contract, instance, force: args.force === true, onEvent, signal: abort.signal });
      if (args.json) {
        printJson({ ...result });
      } else if (result.ok) {
        const ran = result.steps.filter((s) => s.status === 'ran').length;
        println(
          contract.setup.length === 0
            ? 'setup: the contract declares no setup steps'
            : `setup ${colors.green('done')} for ${result.worktreeId} in ${seconds(result.durationMs)}: ${ran} ran, ${result.steps.length - ran} skipped`,
        );
      } else {
        const failed = result.steps.find((s) => s.status === 'failed');
        if (failed?.tail)
          eprintln(
            colors.dim(
              failed.tail
                .trimEnd()
                .split('\n')
                .slice(-15)
                .map((l) => `  │ ${l}`)
                .join('\n'),
            ),
          );
        eprintln(`${colors.red('error')} setup step "${failed?.name ?? '?'}" failed: ${failed?.reason ?? ''}`);
      }
      return result.ok ? ExitCode.ok : ExitCode.failed;
    } finally {
      process.off('SIGINT', onSigint);
    }
  },
});
