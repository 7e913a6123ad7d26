/**
 * `factory config [-f file] [--json]`: the normalized contract and its service graph in start order.
 * JSON shape: schema/config.schema.json (documented in docs/contract.md).
 */
import { defineCommand } from 'citty';
import {
  graphEdges,
  loadContractWithWarnings,
  diagnosticJson,
  renderDiagnostics,
  renderConfig,
} from '../contract/index.js';
import { ExitCode } from '../lib/failure.js';
import { eprintln, printJson, println } from '../lib/output.js';

export default defineCommand({
  meta: { name: 'config', description: 'Print the normalized contract and the service graph in start order.' },
  args: {
    file: {
      type: 'string',
      alias: 'f',
      description: 'The contract file (default: factory.yaml here or in a parent directory)',
    },
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
      printJson({
        ok: true,
        file: contract.file,
        contract,
        startOrder: contract.startOrder,
        graph: { edges: graphEdges(contract) },
        diagnostics: warnings.map(diagnosticJson),
      });
      return ExitCode.ok;
    }
    for (const line of renderDiagnostics(warnings, contract.file)) eprintln(line);
    for (const line of renderConfig(contract)) println(line);
    return ExitCode.ok;
  },
});
