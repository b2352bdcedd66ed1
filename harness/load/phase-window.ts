// When a phase's parts begin and end, and how much load each moment of it asks for.
import type { Scenario } from '../config/types.ts';

/** performance.now() ms of one thread: the phase's start, the measured part's start and end */
export interface PhaseWindow {
  t0: number;
  warmupMs: number;
  measureMs: number;
  measureStart: number;
  end: number;
}

/** Stages take the start of the measured part; after them the last target holds. */
export function measuredSeconds(s: Scenario): number {
  return Math.max(s.phases.durationSeconds, s.phases.stages.reduce((a, st) => a + st.durationSeconds, 0));
}

/** The load level (clients or arrivals/s) at t seconds into the measured part. */
export function levelAt(s: Scenario, base: number, t: number): number {
  let from = base;
  let at = 0;
  for (const st of s.phases.stages) {
    if (t <= at + st.durationSeconds) return from + ((st.target - from) * (t - at)) / st.durationSeconds;
    at += st.durationSeconds;
    from = st.target;
  }
  return from;
}

export function phaseWindow(s: Scenario, t0: number): PhaseWindow {
  const warmupMs = s.phases.warmupSeconds * 1000;
  const measureMs = measuredSeconds(s) * 1000;
  return { t0, warmupMs, measureMs, measureStart: t0 + warmupMs, end: t0 + warmupMs + measureMs };
}

/** Load connections a phase opens: the most clients any stage asks for in the closed model. */
export function clientCount(s: Scenario): number {
  return s.load.kind === 'closed' ? Math.max(s.load.clients, ...s.phases.stages.map((st) => Math.ceil(st.target))) : s.load.clients;
}
