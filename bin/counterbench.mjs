#!/usr/bin/env node
// The sources are TypeScript run through tsx, so a checkout works right after `npm ci`, with no
// build step that could go stale.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../harness/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
