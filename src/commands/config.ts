/**
 * `factory config [-f file] [--json]`: the normalized contract and its service graph in start order.
 * JSON shape: schema/config.schema.json (documented in docs/contract.md).
 */
import { defineCommand } from 'citty';
import { configJson, loadContractWithWarnings, renderDiagnostics, renderConfig } from '../contract/index.js';
import { ExitCode } from '../lib/failure.js';
import { contractFileArg } from './ui/args.js';
import { eprintln, printJson, println } from '../lib/output.js';

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
    const { contract, warnings } = await loadContractWithWarnings({
      ...(args.file !== undefined ? { file: String(args.file) } : {}),
    });
    if (args.json) {
      printJson(configJson(contract, warnings));
      return ExitCode.ok;
    }
    for (const line of renderDiagnostics(warnings, contract.file)) eprintln(line);
    for (const line of renderConfig(contract)) println(line);
    return ExitCode.ok;
  },
});
