/**
 * The cross-field rules, each a small named function over the normalized draft. `compile` runs all
 * of them and reports every problem at once (a user fixing a contract wants the whole list).
 */
import type { Rule } from '../draft.js';
import { dependencyCycles, impossibleConditions, unknownDependencies } from './dependencies.js';
import { duplicateStepNames, portVariablesInEnv } from './names.js';
import { duplicatePorts, portBlockTooSmall, unknownPorts, urlWithoutPort } from './ports.js';
import { envCycles, undefinedReferences } from './references.js';

export const rules: readonly Rule[] = [
  portVariablesInEnv,
  duplicateStepNames,
  duplicatePorts,
  portBlockTooSmall,
  unknownPorts,
  urlWithoutPort,
  unknownDependencies,
  dependencyCycles,
  impossibleConditions,
  undefinedReferences,
  envCycles,
];
