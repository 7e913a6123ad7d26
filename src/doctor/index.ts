/** `factory doctor`'s checks: this machine's prerequisites for the contract and the agent loop. */
export { runDoctor } from './run.js';
export { DoctorOutput } from './schema.js';
