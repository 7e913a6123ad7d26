/** `factory doctor`'s checks: this machine's prerequisites for the contract and the agent loop. */
export { runDoctor, type DoctorOptions, type DoctorReport } from './run.js';
export { DoctorOutput } from './schema.js';
export type { CheckResult } from './types.js';
