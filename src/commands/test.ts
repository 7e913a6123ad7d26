/**
 * `factory test [suite…]`: run the contract's test suites (all, or the named ones) with the
 * instance's environment, starting the services they need if they are not up and stopping the
 * instance again if this run started it. Exit 0 when every suite passed, 1 when one did not, 2 for
 * an unknown suite or bad contract, 3 when needed services could not start. Results (logs, JUnit
 * XML, summary.json) are kept in `.factory/artifacts/<run id>/`.
 */
import { defineCommand } from 'citty';
import { loadContract } from '../contract/light.js';
import { ExitCode } from '../lib/failure.js';
import { colors, eprintln, printJson, println } from '../lib/output.js';
import { resolveInstanceRef } from '../setup/light.js';
import type { SuiteResult, TestEvent } from '../test-suites/index.js';
import { runtimeControl, runTests } from '../test-suites/light.js';

function seconds(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

function renderSuite(r: SuiteResult): void {
  const counts = r.tests
    ? ` ${r.tests.passed}/${r.tests.tests} passed${r.tests.skipped ? `, ${r.tests.skipped} skipped` : ''}`
    : '';
  if (r.status === 'passed') {
    eprintln(`${colors.green('✓')} ${r.name}${colors.dim(`${counts} in ${seconds(r.durationMs)}`)}`);
    return;
  }
  eprintln(`${colors.red('✗')} ${r.name} ${colors.red(r.reason)}${colors.dim(counts)}`);
  for (const f of r.tests?.failures ?? [])
    eprintln(`  ${colors.red('•')} ${f.name}${f.message ? colors.dim(` — ${f.message.split('\n')[0]}`) : ''}`);
  if (r.log) eprintln(`  ${colors.dim('log:')} ${r.log}`);
}

export default defineCommand({
  meta: { name: 'test', description: "Run the contract's test suites against an instance (starts what they need)." },
  args: {
    suites: { type: 'positional', required: false, description: 'Suites to run (default: all)' },
    'worktree-id': { type: 'string', description: 'Instance to test (default: this worktree)' },
    file: { type: 'string', alias: 'f', description: 'Contract file (default: factory.yaml here or above)' },
    quiet: { type: 'boolean', alias: 'q', description: "Do not stream the suites' output" },
    json: { type: 'boolean', description: 'Print one JSON result (schema/test.schema.json)' },
  },
  async run({ args }) {
    const contract = await loadContract({ file: args.file });
    const instance = await resolveInstanceRef(contract, args['worktree-id']);
    const names = args._.map(String);
    const abort = new AbortController();
    const onSigint = () => abort.abort();
    process.once('SIGINT', onSigint);
    const stream = !args.json && !args.quiet;
    const onEvent = (e: TestEvent) => {
      if (args.json) return;
      switch (e.type) {
        case 'run-start':
          eprintln(colors.dim(`test run ${e.runId}: ${e.suites.join(', ')}`));
          return;
        case 'services-start':
          eprintln(`${colors.cyan('→')} starting ${e.services.join(', ')} for the tests`);
          return;
        case 'services-ready':
          eprintln(`${colors.green('✓')} ${e.services.join(', ')} ready in ${seconds(e.durationMs)}`);
          return;
        case 'suite-start':
          eprintln(`${colors.cyan('→')} ${e.suite}`);
          return;
        case 'suite-output':
          if (stream) process.stderr.write(e.chunk.replace(/^(?=.)/gm, colors.dim('  │ ')));
          return;
        case 'suite-end':
          renderSuite(e.result);
          return;
        case 'services-stop':
          eprintln(colors.dim('stopping the services this run started'));
          return;
      }
    };
    try {
      const result = await runTests({
        contract,
        instance,
        suites: names,
        control: runtimeControl(contract, instance),
        onEvent,
        signal: abort.signal,
      });
      if (args.json) {
        printJson({ ...result });
      } else {
        const t = result.totals;
        const tests = t.tests > 0 ? `, ${t.tests} tests${t.testsFailed > 0 ? ` (${t.testsFailed} failed)` : ''}` : '';
        println(
          `${result.ok ? colors.green('tests passed') : colors.red('tests failed')}: ${t.passed} of ${t.suites} suites passed${tests} in ${seconds(result.durationMs)}`,
        );
        println(colors.dim(`artifacts: ${result.artifactsDir}`));
      }
      return result.ok ? ExitCode.ok : ExitCode.failed;
    } finally {
      process.off('SIGINT', onSigint);
    }
  },
});
