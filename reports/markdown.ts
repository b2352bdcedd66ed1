// summary.md: the run's answer for a pull request or a wiki page, tables only, same verdict and
// claims as the HTML page.
import { allFaults, faultCost, faultWhen } from './faults.ts';
import type { ClaimStatus, OpName, Results } from '../harness/results/types.ts';
import { claimsOf } from './claims.ts';
import { suiteMarkdown } from './suite-markdown.ts';
import { describeErrorKind } from './error-kinds.ts';
import { costVsBaseline, errorsByKind, opsPresent, readsOutOfBounds, serverFigureNames, serverFigures, serviceTimeDiffers } from './figures.ts';
import { fmtFigure, fmtInt, fmtMs, fmtNum, fmtPct, fmtRate, fmtRatio } from './format.ts';
import { loadModelNote, SERVICE_TIME_MEANING } from './load-model.ts';
import { escapeMarkdown as md, escapeMarkdownCode as code } from './safe-text.ts';
import { verdictOf, type VerdictEntry } from './verdict.ts';
import { renderCapacityMarkdown } from './capacity-markdown.ts';
import { interleavingsMarkdown } from './interleavings-markdown.ts';
import { httpBlock } from './http-path.ts';

function mdTable(headers: string[], rows: string[][], numeric: boolean[] = []): string {
  const align = headers.map((_, i) => (numeric[i] ? '---:' : '---'));
  return [`| ${headers.join(' | ')} |`, `| ${align.join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

const CLAIM_LABEL: Record<ClaimStatus, string> = { confirmed: '✅ confirmed', refuted: '❌ refuted', partly: '◐ partly', 'not measured': '– not measured' };

const CLASS_LABEL: Record<VerdictEntry['class'], string> = {
  exact: '✅ exact',
  drifted: '❌ drifted',
  'no-counter': 'no counter',
  unchecked: '⚠️ not checked',
  'not-run': 'not run',
};

function opSection(results: Results, op: OpName): string {
  // service time beside latency only where the two differ (queueing, in the open model)
  const service = serviceTimeDiffers(results, op);
  const rows = results.strategies
    .filter((s) => s.ops?.[op])
    .map((s) => {
      const r = s.ops[op]!;
      const l = r.latencyMs;
      return [
        `\`${code(s.id)}\``,
        fmtInt(r.count),
        fmtRate(r.throughput),
        fmtMs(l.p50),
        fmtMs(l.p95),
        fmtMs(l.p99),
        fmtMs(l.max),
        ...(service ? [fmtMs(r.serviceTimeMs?.p50), fmtMs(r.serviceTimeMs?.p99)] : []),
        fmtInt(r.errors),
      ];
    });
  const headers = ['strategy', 'ops', 'throughput', 'p50', 'p95', 'p99', 'max', ...(service ? ['service p50', 'service p99'] : []), 'errors'];
  return `### ${op[0].toUpperCase()}${op.slice(1)}s\n\n` + mdTable(headers, rows, headers.map((_, i) => i > 0)) + (service ? `\n\n${md(SERVICE_TIME_MEANING)}.` : '');
}

export function renderMarkdown(results: Results): string {
  if (results.capacity) return renderCapacityMarkdown(results);
  const v = verdictOf(results);
  const sc = results.run.scenario;
  const env = results.run.environment;
  const out: string[] = [];
  out.push(`# counterbench: ${md(sc?.name ?? 'run')}`);
  out.push(
    `Run \`${md(results.run.id)}\`, ${md(results.run.startedAt)}; ${md(env?.postgres?.version ?? 'Postgres ?')}, ` +
      `Node ${md(env?.node ?? '?')}, ${fmtInt(env?.cpus)} CPUs, target ${md(env?.target ?? '?')}.` +
      (sc ? ` ${fmtInt(sc.data.users)} users, ${fmtInt(sc.data.answersPerUser)} answers per user, ${sc.phases.durationSeconds} s measured × ${sc.rounds} rounds.` : ''),
  );
  if (results.run.interrupted) out.push('> **This run was interrupted: the figures are partial.**');

  out.push('## Verdict');
  out.push(`**${md(v.headline)}**`);
  out.push(v.recommendation.lines.map((l) => `- ${md(l)}`).join('\n'));
  const entries = results.strategies.map((s) => [...v.exact, ...v.drifted, ...v.noCounter, ...v.unchecked, ...v.notRun].find((e) => e.id === s.id)!);
  out.push(
    mdTable(
      ['strategy', 'counters', 'keys exact', 'lost (worst counter)', 'write p50', 'write p99', 'write × baseline', 'read p50'],
      entries.map((e) => [
        `\`${code(e.id)}\``,
        e.class === 'not-run' ? md(e.status) : CLASS_LABEL[e.class],
        fmtPct(e.consistencyPct),
        e.lost === undefined ? '–' : fmtInt(e.lost),
        fmtMs(e.writeP50Ms),
        fmtMs(e.writeP99Ms),
        fmtRatio(e.cost.writeLatencyRatio),
        fmtMs(e.readP50Ms),
      ]),
      [false, false, true, true, true, true, true, true],
    ),
  );
  const thresholds = results.run.thresholds ?? [];
  if (thresholds.length) {
    out.push('### Thresholds');
    out.push(
      mdTable(
        ['strategy', 'threshold', 'actual', 'outcome'],
        thresholds.map((t) => [`\`${code(t.strategy)}\``, `\`${code(t.expression)}\``, t.actual === null ? '–' : fmtNum(t.actual, 4), t.passed ? 'passed' : '**failed**']),
      ),
    );
  }

  out.push('## The analysis, checked');
  out.push(
    mdTable(
      ['verdict', 'claim id', 'topic', 'the analysis says', 'evidence', 'phase'],
      claimsOf(results).map((c) => [
        CLAIM_LABEL[c.status],
        `\`${code(c.id)}\``,
        md(c.topic),
        md(c.claim),
        md(c.evidence + (c.reason && c.status !== 'confirmed' && c.reason !== c.evidence ? ` (${c.status === 'not measured' ? 'not measured: ' : ''}${c.reason})` : '')),
        md(c.phase ?? '–'),
      ]),
    ),
  );

  out.push(...suiteMarkdown(results, mdTable));

  out.push('## Latency and throughput');
  const model = loadModelNote(results);
  out.push(`**${md(model.name)}.** ${md(model.meaning)}`);
  const ops = opsPresent(results);
  out.push(ops.length ? ops.map((op) => opSection(results, op)).join('\n\n') : 'Not measured in this run.');

  const http = httpBlock(results);
  if (http) {
    out.push(`## ${md(http.title)}`);
    for (const t of http.text) out.push(md(t));
    for (const t of http.tables) if (t.rows.length) out.push(mdTable(t.headers.map(md), t.rows.map((r) => r.map((c, i) => (i === 0 ? `\`${code(c)}\`` : md(c)))), t.numeric));
  }

  out.push('## Counter drift');
  const driftRows = results.strategies.flatMap((s) =>
    (s.drift?.counters ?? []).map((c) => [
      `\`${code(s.id)}\``,
      `\`${code(c.name)}\``,
      fmtInt(c.usersChecked),
      fmtInt(c.usersInconsistent),
      fmtPct(c.consistencyPct),
      fmtInt(c.lost),
      fmtInt(c.extra),
      s.drift!.convergeMs === null ? 'never' : fmtMs(s.drift!.convergeMs),
    ]),
  );
  out.push(
    driftRows.length
      ? mdTable(['strategy', 'counter', 'keys checked', 'keys off', 'keys exact', 'lost', 'extra', 'converged after load'], driftRows, [false, false, true, true, true, true, true, true])
      : 'Not measured in this run.',
  );
  const readRows = results.strategies.flatMap((s) => {
    const r = readsOutOfBounds(s);
    return r ? [[`\`${code(s.id)}\``, fmtInt(r.checked), fmtInt(r.below), fmtInt(r.above), `${fmtNum(r.sharePct)} %`, fmtMs(r.staleP99Ms)]] : [];
  });
  out.push('### Reads out of bounds');
  out.push(readRows.length ? mdTable(['strategy', 'reads judged', 'below (stale)', 'above', 'out of bounds', 'staleness p99'], readRows, [false, true, true, true, true, true]) : 'Not measured in this run.');

  out.push(...interleavingsMarkdown(results, mdTable));

  out.push('## Cost');
  const costRows = results.strategies
    .filter((s) => s.status === 'ok')
    .map((s) => {
      const c = costVsBaseline(results, s);
      const figs = serverFigures(s);
      return [`\`${code(s.id)}\``, fmtRatio(c.writeLatencyRatio), fmtRatio(c.writeThroughputRatio), ...serverFigureNames(results, true).map((n) => (figs[n] === undefined ? 'not measured' : fmtFigure(n, figs[n])))];
    });
  const names = serverFigureNames(results, true);
  out.push(
    costRows.length
      ? mdTable(['strategy', 'write latency × baseline', 'write throughput × baseline', ...names.map(md)], costRows, [false, true, true, ...names.map(() => true)])
      : 'Not measured in this run.',
  );
  if (!names.length) out.push('Server cost: not measured in this run.');

  const errRows = results.strategies.flatMap((s) => Object.entries(errorsByKind(s)).map(([k, n]) => [`\`${code(s.id)}\``, md(describeErrorKind(k)), fmtInt(n)]));
  out.push('## Errors');
  out.push(errRows.length ? mdTable(['strategy', 'kind', 'failed operations'], errRows, [false, false, true]) : 'No operation failed in this run.');

  const faults = allFaults(results);
  if (faults.length) {
    out.push('## Faults');
    out.push("Each fault's cost is its own; no claim of the analysis is decided on a phase that had one.");
    out.push(
      mdTable(
        ['strategy', 'fault', 'when', 'what happened', 'cost'],
        faults.map(({ strategy, fault: f }) => [
          `\`${code(strategy)}\``,
          md(`${f.kind}${f.happened ? (f.injected ? ' (injected)' : ' (suffered)') : ' (not injected)'}`),
          md(faultWhen(f)),
          md(f.detail),
          md(faultCost(f).join(', ') || '-'),
        ]),
      ),
    );
  }

  const notRun = results.strategies.filter((s) => s.status !== 'ok');
  if (notRun.length) {
    out.push('## Not measured in full');
    out.push(mdTable(['strategy', 'status', 'reason'], notRun.map((s) => [`\`${code(s.id)}\``, md(s.status), md(s.reason ?? '(no reason given)')])));
  }
  return out.join('\n\n') + '\n';
}
