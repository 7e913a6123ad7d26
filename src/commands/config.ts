/**
 * `factory config [-f file] [--json]`: the normalized contract and its service graph in start order.
 * JSON shape: schema/config.schema.json (documented in docs/contract.md); an invalid contract exits 2
 * with `{ok: false, file, error, diagnostics}`, the diagnostics exactly as `factory check` gives them.
 */
import { defineCommand } from 'citty';
import { graphEdges } from '../contract/graph.js';
import { checkContract } from '../contract/load.js';
import { countLabel, diagnosticJson, renderDiagnostics } from '../contract/report.js';
import { renderConfig } from '../contract/render-config.js';
import { ExitCode } from '../lib/failure.js';
import { colors, eprintln, printJson, println } from '../lib/output.js';

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
    const { contract, diagnostics, file, shownFile } = await checkContract({
      ...(args.file !== undefined ? { file: String(args.file) } : {}),
    });
    const errors = diagnostics.filter((d) => d.severity === 'error');
    if (!contract || errors.length > 0) {
      const message = `${countLabel(errors.length, 'problem')} in ${shownFile}`;
      if (args.json) {
        printJson({
          ok: false,
          file,
          error: { code: 'invalid-contract', message, hint: errors[0]?.hint ?? null },
          diagnostics: diagnostics.map(diagnosticJson),
        });
      } else {
        for (const line of renderDiagnostics(diagnostics, file)) eprintln(line);
        eprintln(`${colors.red('✗')} ${message}`);
      }
      return ExitCode.invalid;
    }
    if (args.json) {
      printJson({
        ok: true,
        file: contract.file,
        contract,
        startOrder: contract.startOrder,
        graph: { edges: graphEdges(contract) },
        diagnostics: diagnostics.map(diagnosticJson),
      });
      return ExitCode.ok;
    }
    for (const line of renderDiagnostics(diagnostics, contract.file)) eprintln(line);
    for (const line of renderConfig(contract)) println(line);
    return ExitCode.ok;
  },
});
