#!/usr/bin/env node
// The sources are TypeScript run through tsx, so a checkout works right after `npm ci`, with no
// build step that could go stale.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../harness/cli/main.ts');
// Exit explicitly: a client or timer left open (a Redis client reconnecting, say) must not keep
// the process alive after main() has decided how it ends.
const code = await main(process.argv.slice(2));
// Writes to a pipe are asynchronous: exiting at once would cut a large --json output off at 64 KiB.
await new Promise((resolve) => process.stdout.write('', resolve));
process.exit(code);
