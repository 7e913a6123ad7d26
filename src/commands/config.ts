/**
 * `factory config [-f file] [--json]`: the normalized contract and its service graph in start order.
 * JSON shape: schema/config.schema.json (documented in docs/contract.md); an invalid contract exits 2
 * with `{ok: false, file, error, diagnostics}`, the diagnostics exactly as `factory check` gives them.
 */
import { defineCommand } from 'citty';
import {
  checkContract,
  configFailureJson,
  configJson,
  countLabel,
  renderConfig,
  renderDiagnostics,
} from '../contract/light.js';
import { ExitCode } from '../lib/failure.js';
import { colors, eprintln, printJson, println } from '../lib/output.js';
import { contractFileArg } from './ui/args.js';

export default defineCommand({
  meta: { name: 'config', description: 'Print the normalized contract and the service graph in start order.' },
  args: {
    ...contractFileArg,
    json: {
      type: 'boolean',
      description: 'Print {schemaVersion, ok, file, contract, startOrder, graph} (schema/config.schema.json)',
    },
  },
  async run({ args }) {
    const { contract, diagnostics, file, shownFile } = await checkContract({
      ...(args.file !== undefined ? { file: String(args.file) } : {}),
    });
    const errors = diagnostics.filter((d) => d.severity === 'error');
    if (!contract || errors.length > 0) {
      if (args.json) printJson(configFailureJson(file, shownFile, diagnostics));
      else {
        for (const line of renderDiagnostics(diagnostics, file)) eprintln(line);
        eprintln(`${colors.red('✗')} ${countLabel(errors.length, 'problem')} in ${shownFile}`);
      }
      return ExitCode.invalid;
    }
    if (args.json) {
      printJson(configJson(contract, diagnostics));
      return ExitCode.ok;
    }
    for (const line of renderDiagnostics(diagnostics, contract.file)) eprintln(line);
    for (const line of renderConfig(contract)) println(line);
    return ExitCode.ok;
  },
});
