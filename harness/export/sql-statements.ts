// The statements of a strategy's application path, for the k6 script's SQL target: each
// operation run once against a client that only writes the statement down, with sentinel values
// that show which argument is which. A strategy qualifies when its server does the counting
// (batch kind 'server') and each operation is one statement: xk6-sql hands every statement to
// any connection of its pool, so nothing that needs one connection (a transaction, a lock held
// across statements) or Redis can be replayed there.
import type { Answer, PgQueryClient, QueryRows, QuerySpec, Strategy, StrategyContext } from '../strategies/types.ts';
import type { OpName } from '../results/types.ts';

/** One statement with its arguments as expressions of the script's variables. */
export interface ReplayStatement {
  text: string;
  args: string[];
}

const U = 1_234_567;
const S = 7_654_321;
const Q = 'q-k6';
const R = 'an answer saved by k6';

function argOf(v: unknown): string {
  if (v === U) return 'userId';
  if (v === S) return 'sessionId';
  if (v === Q) return 'questionJsonId';
  if (v === R) return 'rawAnswer';
  if (v === R.length) return 'rawAnswer.length';
  return JSON.stringify(v);
}

class Recorder implements PgQueryClient {
  readonly seen: ReplayStatement[] = [];
  async query<Row = any>(textOrSpec: string | QuerySpec, values?: readonly unknown[]): Promise<QueryRows<Row>> {
    const spec = typeof textOrSpec === 'string' ? { text: textOrSpec, values } : textOrSpec;
    this.seen.push({ text: spec.text.trim(), args: (spec.values ?? []).map(argOf) });
    return { rows: [], rowCount: 0 };
  }
  async end(): Promise<void> {}
}

/** Each operation's one statement, or why the strategy cannot be replayed by xk6-sql. */
export async function replayStatements(strategy: Strategy, ctx: StrategyContext): Promise<Record<OpName, ReplayStatement> | string> {
  if (strategy.needsRedis) return `${strategy.id} keeps its counters in Redis, which xk6-sql cannot reach`;
  if (strategy.batch.kind !== 'server') return `${strategy.id}'s application counts each answer itself (${strategy.batch.kind === 'application' ? 'a statement beside the INSERT' : strategy.batch.reason}); a k6 SQL script cannot keep its statements on one connection`;
  const out = {} as Record<OpName, ReplayStatement>;
  const answer: Answer = { userId: U, sessionId: S, questionJsonId: Q, rawAnswer: R };
  const runs: Record<OpName, (c: Recorder) => Promise<unknown>> = {
    write: (c) => strategy.write({ pg: c, ctx }, answer),
    read: (c) => strategy.read({ pg: c, ctx }, U),
    delete: (c) => strategy.remove({ pg: c, ctx }, { userId: U, sessionId: S }),
  };
  for (const op of Object.keys(runs) as OpName[]) {
    const c = new Recorder();
    await runs[op](c);
    if (c.seen.length !== 1) return `${strategy.id}'s ${op} is ${c.seen.length} statements; a k6 SQL script replays one statement per operation`;
    out[op] = c.seen[0];
  }
  return out;
}
