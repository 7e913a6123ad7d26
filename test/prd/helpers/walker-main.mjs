#!/usr/bin/env node
// A walker process for tests that must kill it: runs the built `runPrd` (dist/, built by
// test/global-setup.ts) with the flags given as one JSON object, exits with its exit code.
import { fileURLToPath, pathToFileURL } from 'node:url';

const dist = fileURLToPath(new URL('../../../dist/', import.meta.url));
const { runPrd } = await import(pathToFileURL(`${dist}commands/agent-prd.js`).href);
try {
  process.exitCode = await runPrd(JSON.parse(process.argv[2] ?? '{}'));
} catch (error) {
  process.stderr.write(`${error?.code ?? 'error'}: ${error?.message ?? error}\n`);
  process.exitCode = error?.exitCode ?? 70;
}
