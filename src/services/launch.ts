/**
 * The runtime's light entry for `factory start` (ADR 0161): `startInstance` without the rest of
 * ./index.ts (the output schemas' TypeBox, ps, restart, the foreground supervisor). Everything
 * here is also exported by ./index.ts; type-only imports go through the index.
 */
export { startInstance } from './start.js';
