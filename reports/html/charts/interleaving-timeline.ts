// One permutation drawn as a timeline: a column of statements per session, one row per step from
// the top, a bar down the column of a step that waited until the row that released it, and the
// step where the increment was lost marked in red. The committed drift after each step runs down
// the right edge.
import type { InterleavingPermutation } from '../../../harness/results/types.ts';
import { driftText, stepLabel, stepNotes } from '../../../harness/interleave/labels.ts';
import { baseSpec, chartId, type Chart } from './chart.ts';

const ROW_PX = 30;
/** the drift column's share of the width, as a fraction of one session's column */
const DRIFT_COL = 0.9;

type Kind = 'statement' | 'transaction' | 'death' | 'jobs';

function kindOf(step: string): Kind {
  if (step === 'BEGIN' || step === 'COMMIT' || step === 'ROLLBACK') return 'transaction';
  if (step === 'die') return 'death';
  if (step === 'jobs') return 'jobs';
  return 'statement';
}

export function interleavingTimelineChart(strategy: string, specId: string, p: InterleavingPermutation, sessions: string[], outcome: string): Chart {
  const col = (session: string) => sessions.indexOf(session);
  const last = p.steps.length + (p.settledDrift ? 1 : 0);
  const steps = p.steps.map((s, i) => ({
    row: i + 1,
    x: col(s.session) + 0.04,
    session: s.session,
    step: s.step,
    label: stepLabel(s),
    kind: s.error ? 'error' : kindOf(s.step),
    sent: s.sent.join('\n') || '(nothing)',
    notes: stepNotes(s, p).join('; ') || '-',
    drift: driftText(s.drift) + (s.ownDrift && Object.values(s.ownDrift).some((v) => v !== 0) ? ` (own view ${driftText(s.ownDrift)})` : ''),
    marked: s.marks ? (s.marks === 'lost' ? 'lost here' : 'extra made here') : null,
    note: s.marks
      ? `◀ ${s.session}: ${s.marks === 'lost' ? 'lost here' : 'extra made here'}`
      : [s.waitedOn ? `${s.session} waits for ${s.waitedOn.join(', ')}` : '', s.error ? `${s.session}: error ${s.error.sqlstate ?? ''}` : ''].filter(Boolean).join('; '),
  }));
  if (p.settledDrift) {
    steps.push({
      row: last,
      x: 0.04,
      session: '(jobs)',
      step: 'drain',
      label: 'after the last step: background jobs drain',
      kind: 'jobs',
      sent: '(the strategy\'s jobs, each until it has nothing left to do)',
      notes: '-',
      drift: driftText(p.settledDrift),
      marked: p.settleMarks ? (p.settleMarks === 'lost' ? 'lost here' : 'extra made here') : null,
      note: p.settleMarks ? `◀ the jobs: ${p.settleMarks === 'lost' ? 'lost here' : 'extra made here'}` : '',
    });
  }
  const waits = p.steps.flatMap((s, i) =>
    s.waitedOn
      ? [{ x: col(s.session) + 0.005, x2: col(s.session) + 0.025, row: i + 1, until: s.resumedAfter === undefined ? last + 0.4 : s.resumedAfter + 1, who: s.waitedOn.join(', '), session: s.session }]
      : [],
  );
  const driftX = sessions.length + 0.05;
  const headers = [...sessions.map((name, i) => ({ x: i + 0.04, label: name })), { x: driftX, label: 'committed counter − COUNT(*)' }];
  const xScale = { domain: [0, sessions.length + DRIFT_COL], nice: false, zero: false };
  const yScale = { domain: [-0.2, last + 0.6], reverse: true, nice: false, zero: false };
  const x = (field: string) => ({ field, type: 'quantitative', scale: xScale, axis: null });
  const y = { field: 'row', type: 'quantitative', scale: yScale, axis: null };
  const vl = {
    ...baseSpec(`${strategy}: the shortest failing permutation of ${specId} as a timeline`),
    height: (last + 1) * ROW_PX,
    layer: [
      {
        // a light band behind every other row keeps a step's columns on one line for the eye
        data: { values: steps.filter((s) => s.row % 2 === 0) },
        mark: { type: 'rect', color: '#f5f7fa' },
        encoding: { x: { datum: 0, type: 'quantitative', scale: xScale, axis: null }, x2: { datum: sessions.length + DRIFT_COL }, y: { field: 'top', type: 'quantitative', scale: yScale, axis: null }, y2: { field: 'bottom' } },
        transform: [{ calculate: 'datum.row - 0.5', as: 'top' }, { calculate: 'datum.row + 0.5', as: 'bottom' }],
      },
      {
        data: { values: headers },
        mark: { type: 'text', align: 'left', baseline: 'middle', fontWeight: 700, fontSize: 12 },
        encoding: { x: x('x'), y: { datum: 0.1, type: 'quantitative', scale: yScale, axis: null }, text: { field: 'label' } },
      },
      {
        data: { values: waits },
        mark: { type: 'rect', color: '#e0a000', opacity: 0.85 },
        encoding: {
          x: x('x'),
          x2: { field: 'x2' },
          y: { field: 'top', type: 'quantitative', scale: yScale, axis: null },
          y2: { field: 'bottom' },
          tooltip: [{ field: 'session' }, { field: 'who', title: 'waits for' }],
        },
        transform: [{ calculate: 'datum.row - 0.35', as: 'top' }, { calculate: 'datum.until + 0.35', as: 'bottom' }],
      },
      ...[false, true].map((bold) => ({
        // the step that made the loss in bold, so the eye finds it first
        data: { values: steps.filter((s) => (s.marked !== null) === bold) },
        mark: { type: 'text', align: 'left', baseline: 'middle', fontSize: 12, fontWeight: bold ? 700 : 400, limit: { expr: `width / ${sessions.length + DRIFT_COL} - 14` } },
        encoding: {
          x: x('x'),
          y,
          text: { field: 'label' },
          color: bold ? { value: '#b3261e' } : {
            field: 'kind',
            type: 'nominal',
            scale: { domain: ['statement', 'transaction', 'death', 'jobs', 'error'], range: ['#1d2330', '#5d6675', '#b3261e', '#5d6675', '#b3261e'] },
            legend: null,
          },
          tooltip: [{ field: 'row', title: 'step' }, { field: 'session' }, { field: 'step', title: 'spec step' }, { field: 'sent' }, { field: 'notes' }, { field: 'drift', title: 'counter − COUNT(*)' }],
        },
      })),
      ...[false, true].map((bold) => ({
        // beside each step, as committed after it: counter − COUNT(*), then a wait or the loss
        data: { values: steps.filter((s) => (s.marked !== null) === bold) },
        mark: { type: 'text', align: 'left', baseline: 'middle', fontSize: 12, fontWeight: bold ? 700 : 400, limit: { expr: `width * ${DRIFT_COL / (sessions.length + DRIFT_COL)} - 8` } },
        encoding: {
          x: { datum: driftX, type: 'quantitative', scale: xScale, axis: null },
          y,
          text: { field: 'right' },
          color: { value: bold ? '#b3261e' : '#5d6675' },
        },
        transform: [
          { calculate: "datum.drift + (datum.note ? '   ' + datum.note : '')", as: 'right' },
        ],
      })),
    ],
  };
  return {
    id: chartId('interleaving', strategy),
    title: `${strategy}: ${outcome}`,
    spec: vl,
    caption:
      'One column per session, one row per step, top to bottom in the order sent. An amber bar is a step waiting on another session\'s lock, down to the step that released it; ' +
      'red marks where the loss was made. The right column is every counter minus COUNT(*) as committed after that step.',
  };
}
