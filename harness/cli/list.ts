// `counterbench list`: the strategies and the built-in scenarios.
import { STRATEGIES } from '../strategies/index.ts';
import { listScenarios } from '../config/scenario.ts';
import { renderTable } from './summary.ts';
import type { Output } from './output.ts';

export async function listCommand(argv: string[], o: Output): Promise<number> {
  const json = argv.includes('--json');
  const strategies = STRATEGIES.map((s) => ({ id: s.id, title: s.title, origin: s.origin, counters: s.counters.map((c) => c.name) }));
  const scenarios = listScenarios();
  if (json) {
    o.out(JSON.stringify({ strategies, scenarios }, null, 2));
    return 0;
  }
  o.out('strategies:');
  o.out(renderTable([['id', 'title', 'origin'], ...strategies.map((s) => [s.id, s.title, s.origin])]).replace(/^/gm, '  '));
  o.out('\nscenarios:');
  o.out(renderTable([['name', 'description'], ...scenarios.map((s) => [s.name, s.description])]).replace(/^/gm, '  '));
  return 0;
}
