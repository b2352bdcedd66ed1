// Adding a strategy is one registry entry (harness/strategies/registry.ts), and the compiler holds
// it there: an entry missing, or filed under another id than its module's, does not compile; no
// other list of ids is kept by hand; every strategy module is registered; `list` and the colors
// cover every strategy.
import { describe, it, expect } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { ALL_STRATEGY_IDS, REGISTRY, STRATEGIES } from '../harness/strategies/registry.ts';
import { colorOf, strategyPalette } from '../reports/strategy-colors.ts';
import { listCommand } from '../harness/cli/list.ts';
import type { Results } from '../harness/results/types.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const REGISTRY_FILE = path.join(ROOT, 'harness/strategies/registry.ts');
// the files that name strategies by id: the registry, the colors, the analysis's claims
const ROOTS = ['harness/strategies/registry.ts', 'reports/strategy-colors.ts', 'reports/analysis.ts'].map((f) => path.join(ROOT, f));

let oldProgram: ts.Program | undefined;

/** The compiler's errors for the project's id-naming files, with the registry's text replaced. */
function compileWithRegistry(text: string): Array<{ file: string; message: string }> {
  const parsed = ts.getParsedCommandLineOfConfigFile(path.join(ROOT, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} })!;
  const host = ts.createCompilerHost(parsed.options);
  const getSourceFile = host.getSourceFile;
  host.getSourceFile = (file, lang, ...rest) =>
    path.resolve(file) === REGISTRY_FILE ? ts.createSourceFile(file, text, lang) : getSourceFile.call(host, file, lang, ...rest);
  const program = ts.createProgram({ rootNames: ROOTS, options: parsed.options, host, oldProgram });
  oldProgram = program;
  return ts.getPreEmitDiagnostics(program).map((d) => ({
    file: d.file ? path.relative(ROOT, d.file.fileName) : '',
    message: ts.flattenDiagnosticMessageText(d.messageText, '\n'),
  }));
}

const registryText = fs.readFileSync(REGISTRY_FILE, 'utf8');

function withoutEntry(id: string): string {
  const line = registryText.split('\n').find((l) => l.trim().startsWith(`'${id}':`) || l.trim().startsWith(`${id},`));
  expect(line, `the registry's entry of ${id}`).toBeDefined();
  return registryText.replace(line! + '\n', '');
}

describe('the strategy registry', () => {
  it('compiles as it is', () => {
    expect(compileWithRegistry(registryText)).toEqual([]);
  }, 60_000);

  it('an id missing from it does not compile where the id is named: its color, the claims about it', () => {
    const errors = compileWithRegistry(withoutEntry('count-star'));
    const about = (file: string) => errors.filter((e) => e.file === file && e.message.includes('count-star'));
    expect(about('reports/strategy-colors.ts').length, JSON.stringify(errors)).toBeGreaterThan(0);
    expect(about('reports/analysis.ts').length, JSON.stringify(errors)).toBeGreaterThan(0);
    // a strategy beyond the analysis is named by its color alone
    const newer = compileWithRegistry(withoutEntry('delta-rollup'));
    expect(newer.some((e) => e.file === 'reports/strategy-colors.ts' && e.message.includes('delta-rollup')), JSON.stringify(newer)).toBe(true);
  }, 60_000);

  it('a module filed under another id than its own does not compile', () => {
    const swapped = registryText.replace("'trigger-fixed': triggerFixed,", "'trigger-fixed': statementTrigger,");
    expect(swapped).not.toBe(registryText);
    const errors = compileWithRegistry(swapped);
    expect(errors.some((e) => e.file === 'harness/strategies/registry.ts' && /'"statement-trigger"' is not assignable to type '"trigger-fixed"'/.test(e.message)), JSON.stringify(errors)).toBe(true);
  }, 60_000);

  it('keeps every strategy module: each strategy a module of harness/strategies exports is registered under its id', async () => {
    const dir = path.join(ROOT, 'harness/strategies');
    let found = 0;
    for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.ts'))) {
      const mod = (await import(path.join(dir, f))) as Record<string, unknown>;
      for (const [name, v] of Object.entries(mod)) {
        if (name === 'STRATEGIES' || name === 'REGISTRY' || Array.isArray(v)) continue;
        const s = v as { id?: unknown; deploy?: unknown; write?: unknown };
        if (typeof s?.id !== 'string' || typeof s.deploy !== 'function' || typeof s.write !== 'function') continue;
        found++;
        expect([f, name, REGISTRY[s.id as keyof typeof REGISTRY] === v]).toEqual([f, name, true]);
      }
    }
    expect(found).toBe(ALL_STRATEGY_IDS.length);
  });

  it('is the only list of ids: no source file keeps one of its own', () => {
    const ids = new Set<string>(ALL_STRATEGY_IDS);
    const offenders: string[] = [];
    const walk = (dir: string): string[] =>
      fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
    for (const file of ['harness', 'reports', 'bin', 'benchmarks'].flatMap((d) => walk(path.join(ROOT, d)))) {
      if (file === REGISTRY_FILE) continue;
      const sf = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
      const visit = (node: ts.Node): void => {
        // a list of ids: an array of three or more of them
        if (ts.isArrayLiteralExpression(node)) {
          const named = node.elements.filter((e) => ts.isStringLiteralLike(e) && ids.has(e.text));
          if (named.length >= 3) offenders.push(`${path.relative(ROOT, file)}:${sf.getLineAndCharacterOfPosition(node.pos).line + 1}: [${named.map((e) => (e as ts.StringLiteral).text).join(', ')}]`);
        }
        // a table keyed by ids must be typed by StrategyId, so that the compiler holds it to the registry
        if (ts.isObjectLiteralExpression(node)) {
          const keyed = node.properties.filter((p) => p.name && (ts.isStringLiteralLike(p.name) || ts.isIdentifier(p.name)) && ids.has(p.name.text));
          const decl = node.parent;
          const typed = ts.isVariableDeclaration(decl) && decl.type !== undefined && /\bStrategyId\b/.test(decl.type.getText(sf));
          if (keyed.length >= 3 && !typed) offenders.push(`${path.relative(ROOT, file)}:${sf.getLineAndCharacterOfPosition(node.pos).line + 1}: an object keyed by ids, not typed by StrategyId`);
        }
        ts.forEachChild(node, visit);
      };
      visit(sf);
    }
    expect(offenders).toEqual([]);
  });
});

describe('strategy colors', () => {
  const results = (ids: string[]) => ({ strategies: ids.map((id) => ({ id })) }) as unknown as Results;

  it('give every registered strategy a color of its own', () => {
    const colors = ALL_STRATEGY_IDS.map(colorOf);
    expect(new Set(colors).size).toBe(ALL_STRATEGY_IDS.length);
  });

  it("depend on the strategy, not on the run's order or company", () => {
    const a = strategyPalette(results([...ALL_STRATEGY_IDS]));
    const b = strategyPalette(results(['redis-after-commit', 'count-star', 'no-longer-registered']));
    const c = strategyPalette(results(['no-longer-registered']));
    for (const id of ['redis-after-commit', 'count-star']) expect(b.colorOf(id)).toBe(a.colorOf(id));
    expect(b.range).toEqual(['redis-after-commit', 'count-star', 'no-longer-registered'].map(colorOf));
    expect(c.colorOf('no-longer-registered')).toBe(b.colorOf('no-longer-registered'));
  });
});

describe('counterbench list', () => {
  it('shows every strategy with its origin', async () => {
    let out = '';
    await listCommand(['--json'], { out: (t) => (out += t), err: () => {}, tty: false });
    const listed = JSON.parse(out).strategies as Array<{ id: string; origin: string }>;
    expect(listed.map((s) => s.id)).toEqual([...ALL_STRATEGY_IDS]);
    for (const s of STRATEGIES) expect(listed.find((l) => l.id === s.id)!.origin).toBe(s.origin);
    for (const s of listed) expect(s.origin.length, s.id).toBeGreaterThan(5);
  });
});
