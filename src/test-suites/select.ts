/** Which suites a `factory test [suite…]` run means: the named ones, in the order given, or all. */
import { suggest } from '../lib/suggest.js';
import type { Contract, TestSuite } from '../contract/index.js';
import { ExitCode, FactoryFailure } from '../lib/failure.js';

export function selectSuites(contract: Contract, names: string[]): TestSuite[] {
  const all = Object.values(contract.tests);
  if (names.length === 0) {
    if (all.length === 0) {
      throw new FactoryFailure('no-test-suites', 'the contract declares no test suites', {
        exitCode: ExitCode.invalid,
        hint: 'add a `tests:` section to factory.yaml',
      });
    }
    return all;
  }
  const out: TestSuite[] = [];
  for (const name of names) {
    const suite = contract.tests[name];
    if (!suite) {
      const known = Object.keys(contract.tests);
      const best = suggest(name, known);
      throw new FactoryFailure('unknown-test-suite', `no test suite named "${name}"`, {
        exitCode: ExitCode.invalid,
        hint: best ? `did you mean "${best}"?` : `suites: ${known.join(', ') || '(none)'}`,
      });
    }
    if (!out.includes(suite)) out.push(suite);
  }
  return out;
}

/** Every service the selected suites need, in the contract's start order. */
export function neededServices(contract: Contract, suites: TestSuite[]): string[] {
  const needed = new Set(suites.flatMap((s) => s.needs));
  return contract.startOrder.filter((name) => needed.has(name));
}
