/**
 * What the planner is told about how the repository runs, read from its factory.yaml: services
 * and their URLs, test suites, validation scenarios and the start URL browser steps begin at.
 */
import { findContractFile, loadContract } from '../contract/index.js';
import type { Contract } from '../contract/index.js';

export async function loadJobContract(dir: string, env: NodeJS.ProcessEnv): Promise<Contract | undefined> {
  if (!findContractFile(dir)) return undefined;
  return loadContract({ cwd: dir, env });
}

export function contractSummary(contract: Contract | undefined): string {
  if (!contract) return '(no factory.yaml: the repository declares no services, tests or browser validation)';
  const services = Object.entries(contract.services).map(
    ([name, s]) => `- service ${name}${s.url ? ` at ${s.url}` : ''}`,
  );
  const tests = Object.keys(contract.tests).map((t) => `- test suite ${t}`);
  const scenarios = (contract.validation?.scenarios ?? []).map(
    (s) => `- scenario ${s.name}${s.description ? `: ${s.description}` : ''}`,
  );
  const start = featureStartUrl(contract);
  return [
    ...services,
    ...tests,
    ...scenarios,
    start ? `Browser steps start at ${start}.` : 'There is no URL for browser steps.',
  ].join('\n');
}

/** Where the feature scenario opens: the validation start URL, a scenario's, or a service's URL. */
export function featureStartUrl(contract: Contract): string | undefined {
  const v = contract.validation;
  if (v?.startUrl) return v.startUrl;
  const fromScenario = v?.scenarios.find((s) => s.startUrl)?.startUrl;
  if (fromScenario) return fromScenario;
  for (const s of Object.values(contract.services)) if (s.url) return s.url;
  return undefined;
}
