// `counterbench list`: the strategies and the built-in scenarios.
import { STRATEGIES } from '../strategies/index.ts';
import { listScenarios } from '../config/scenario.ts';
import { EXIT_OK } from '../errors.ts';
import { renderTable } from './summary.ts';
import { parseCommandArgs } from './args.ts';
import type { Output } from './output.ts';

export const LIST_USAGE = `usage: counterbench list [--json]

The strategies (ids for --strategies) and the built-in scenarios (names for --scenario).
  --json   print them as one JSON object`;

export async function listCommand(argv: string[], o: Output): Promise<number> {
  const args = parseCommandArgs({ command: 'list', usage: LIST_USAGE, flags: { json: 'boolean' } }, argv, o.out);
  if (!args) return EXIT_OK;
  const strategies = STRATEGIES.map((s) => ({ id: s.id, title: s.title, origin: s.origin, counters: s.counters.map((c) => c.name) }));
  const scenarios = listScenarios();
  if (args.values.json) {
    o.out(JSON.stringify({ strategies, scenarios }, null, 2));
    return EXIT_OK;
  }
  o.out('strategies:');
  o.out(renderTable([['id', 'what it is', 'where it comes from'], ...strategies.map((s) => [s.id, s.title, s.origin])], 3).replace(/^/gm, '  '));
  o.out('\nscenarios:');
  o.out(renderTable([['name', 'description'], ...scenarios.map((s) => [s.name, s.description])], 2).replace(/^/gm, '  '));
  return EXIT_OK;
}
