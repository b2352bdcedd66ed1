// One parser for every command's flags, so that every command refuses bad input the same way, in
// one line naming the flag: an unknown flag, a flag without its value, a value given to a switch,
// an argument where none is expected. Every command answers --help (-h) with its usage.
//
// Node's parseArgs in strict mode refuses "--clients -3" as "ambiguous" before the value can be
// judged, so it runs here in lenient mode and the checks it would make are made below, with
// messages that say what was expected.
import { parseArgs } from 'node:util';
import { EXIT_USAGE, UsageError } from '../errors.ts';

export type FlagKind = 'string' | 'boolean';
export type Flags = Record<string, FlagKind>;

/** A string flag is undefined when absent; a switch is false when absent. */
export type FlagValues<F extends Flags> = { [K in keyof F]: F[K] extends 'boolean' ? boolean : string | undefined };

export interface CommandSpec<F extends Flags> {
  /** as typed after "counterbench", for the hint in messages */
  command: string;
  usage: string;
  flags: F;
  /** the positional arguments the command takes; none when absent */
  positionals?: { count: number; what: string; /** count is the least, more may follow */ atLeast?: boolean };
}

export interface ParsedArgs<F extends Flags> {
  values: FlagValues<F>;
  positionals: string[];
}

const quote = (s: string): string => JSON.stringify(s);

/**
 * Parses a command's arguments. When --help or -h is among them, prints the usage and returns
 * undefined (the command then exits 0); otherwise throws a UsageError on anything it does not
 * take.
 */
export function parseCommandArgs<F extends Flags>(spec: CommandSpec<F>, argv: string[], print: (text: string) => void): ParsedArgs<F> | undefined {
  const hint = `see 'counterbench ${spec.command} --help'`;
  const { tokens } = parseArgs({
    args: argv,
    options: { ...Object.fromEntries(Object.entries(spec.flags).map(([k, type]) => [k, { type }])), help: { type: 'boolean', short: 'h' } },
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  // Help wins over every other mistake on the line: it is what someone who made one asks for.
  if (tokens.some((t) => t.kind === 'option' && t.name === 'help')) {
    print(spec.usage);
    return undefined;
  }
  const values: Record<string, string | boolean | undefined> = {};
  for (const [name, kind] of Object.entries(spec.flags)) values[name] = kind === 'boolean' ? false : undefined;
  const positionals: string[] = [];
  for (const t of tokens) {
    if (t.kind === 'positional') {
      positionals.push(t.value);
      continue;
    }
    if (t.kind !== 'option') continue;
    const kind = Object.hasOwn(spec.flags, t.name) ? spec.flags[t.name] : undefined;
    if (!kind) throw new UsageError(`unknown flag ${t.rawName} (${hint})`);
    if (kind === 'boolean') {
      if (t.inlineValue) throw new UsageError(`${t.rawName} takes no value, got ${quote(t.value ?? '')}`);
      values[t.name] = true;
      continue;
    }
    // A separate value that looks like a long flag is a forgotten value, not a value; "-3" is a value
    // for the flag to judge. "--out=--odd" still passes a value that starts with dashes.
    if (t.value === undefined || t.value === '' || (!t.inlineValue && t.value.startsWith('--'))) {
      const got = t.value ? `, got the flag ${t.value}` : '';
      throw new UsageError(`${t.rawName}: expected a value${got}`);
    }
    if (values[t.name] !== undefined) throw new UsageError(`${t.rawName} given twice`);
    values[t.name] = t.value;
  }
  const want = spec.positionals;
  if (!want && positionals.length) throw new UsageError(`unexpected argument ${quote(positionals[0])} (${hint})`);
  if (want && (want.atLeast ? positionals.length < want.count : positionals.length !== want.count)) throw new UsageError(`expected ${want.what}, got ${positionals.length} (${hint})`);
  return { values: values as FlagValues<F>, positionals };
}

/** An integer flag of at least `min` (and at most `max`, when given); `fallback` when absent. */
export function intFlag(flag: string, v: string | undefined, o: { min: number; max?: number; fallback: number }): number {
  if (v === undefined) return o.fallback;
  const n = /^\s*[+-]?\d+\s*$/.test(v) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n) || n < o.min || (o.max !== undefined && n > o.max)) {
    throw new UsageError(`${flag}: expected an integer ${o.max === undefined ? `>= ${o.min}` : `from ${o.min} to ${o.max}`}, got ${quote(v)}`);
  }
  return n;
}

/** The usage error of a listen() that failed for where it was told to listen (the port taken or
 *  not allowed, the host not this machine's); undefined for any other error. */
export function listenError(e: unknown, where: { host: string; port: number; portFlag: string; hostFlag?: string }): UsageError | undefined {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  const why =
    code === 'EADDRINUSE' ? 'already in use'
    : code === 'EACCES' ? 'not allowed for this user'
    : code === 'EADDRNOTAVAIL' ? `${where.host} is not an address of this machine`
    : code === 'ENOTFOUND' ? `${where.host} is not a known host name`
    : undefined;
  if (!why) return undefined;
  const flag = code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' ? (where.hostFlag ?? where.portFlag) : where.portFlag;
  return new UsageError(`${flag}: cannot listen on ${where.host}:${where.port}: ${why}`);
}

/** Runs a command's body, turning a UsageError into its one line and exit 2 as main() does, for
 *  commands that are also called directly (tests, other tools) rather than through main(). */
export async function withUsageErrors(command: string, err: (text: string) => void, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    err(`counterbench ${command}: ${e.message}`);
    return EXIT_USAGE;
  }
}
