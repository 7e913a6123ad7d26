#!/usr/bin/env node
// Thin launcher: the CLI's bundle in dist/bundle/ (built by `npm run build`, ADR 0163).
import('../dist/bundle/cli.js').then((m) => m.main(process.argv.slice(2)));
