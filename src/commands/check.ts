/**
 * `factory check [-f file] [--json]`: compile factory.yaml and report every problem.
 * Exit 0 when valid (warnings allowed), 2 when invalid.
 */
import { defineCommand } from 'citty';
import { checkContract, countLabel, diagnosticJson, renderDiagnostics } from '../contract/light.js';
import { ExitCode } from '../lib/failure.js';
import { contractFileArg } from './ui/args.js';
import { colors, eprintln, printJson, println } from '../lib/output.js';

export default defineCommand({
  meta: {
    name: 'check',
    description: 'Validate factory.yaml: schema, rules and ${NAME} references, with located errors.',
  },
  args: {
    ...contractFileArg,
    json: {
      type: 'boolean',
      description: 'Print {schemaVersion, ok, file, diagnostics} as JSON (schema/check.schema.json)',
    },
  },
  async run({ args }) {
    const { contract, diagnostics, file, shownFile } = await checkContract({
      ...(args.file !== undefined ? { file: String(args.file) } : {}),
    });
    const errors = diagnostics.filter((d) => d.severity === 'error');
    const ok = contract !== undefined && errors.length === 0;
    if (args.json) {
      printJson({ ok, file, diagnostics: diagnostics.map(diagnosticJson) });
      return ok ? ExitCode.ok : ExitCode.invalid;
    }
    for (const line of renderDiagnostics(diagnostics, file)) eprintln(line);
    if (!ok) {
      eprintln(`${colors.red('✗')} ${shownFile}: ${countLabel(errors.length, 'problem')}`);
      return ExitCode.invalid;
    }
    const warnings = diagnostics.length - errors.length;
    const services = Object.keys(contract.services).length;
    println(
      `${colors.green('✓')} ${shownFile}: valid (${countLabel(services, 'service')}, ${countLabel(contract.ports.length, 'port')}` +
        `${warnings ? `, ${countLabel(warnings, 'warning')}` : ''})`,
    );
    return ExitCode.ok;
  },
});
