/**
 * Which scenarios a `factory validate` runs: all of them, the ones named with `--scenario`, or the
 * ones whose name or description matches `--feature "text"` (every word of the text, any order,
 * case-insensitive; `create-project` in a name matches "create project").
 */
import { distance } from 'fastest-levenshtein';
import type { Scenario } from '../contract/index.js';
import { ExitCode, FactoryFailure } from '../lib/failure.js';

const words = (s: string) =>
  s
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);

export function matchesFeature(scenario: Scenario, feature: string): boolean {
  const haystack = new Set(words(`${scenario.name} ${scenario.description ?? ''}`));
  const wanted = words(feature);
  const text = `${scenario.name} ${scenario.description ?? ''}`.toLowerCase();
  return (
    wanted.length > 0 &&
    (text.includes(feature.toLowerCase().trim()) ||
      wanted.every((w) => haystack.has(w) || [...haystack].some((h) => h.startsWith(w))))
  );
}

export function selectScenarios(all: Scenario[], opts: { names?: string[]; feature?: string }): Scenario[] {
  const list = all.map((s) => s.name).join(', ');
  let picked = all;
  if (opts.names && opts.names.length > 0) {
    const byName = new Map(all.map((s) => [s.name, s]));
    picked = opts.names.map((name) => {
      const found = byName.get(name);
      if (found) return found;
      const best = all.map((s) => [s.name, distance(s.name, name)] as const).sort((a, b) => a[1] - b[1])[0];
      throw new FactoryFailure('unknown-scenario', `no scenario named "${name}" in the contract`, {
        exitCode: ExitCode.invalid,
        hint: best && best[1] <= 3 ? `did you mean "${best[0]}"? (scenarios: ${list})` : `scenarios: ${list}`,
      });
    });
  }
  if (opts.feature !== undefined) {
    const feature = opts.feature;
    picked = picked.filter((s) => matchesFeature(s, feature));
    if (picked.length === 0) {
      throw new FactoryFailure(
        'no-matching-scenario',
        `no scenario's name or description matches the feature "${feature}"`,
        {
          exitCode: ExitCode.invalid,
          hint: `scenarios: ${list}`,
        },
      );
    }
  }
  return picked;
}
