// A suite as the harness runs it, after validation (harness/suite/suite-file.ts makes one from a
// `kind: suite` file): a list of phases, each a scenario or one of the phases that reproduce
// something a load alone cannot.
import type { Scenario } from '../config/types.ts';
import type { SuitePhaseKind } from '../results/types.ts';

export interface RefreshSpec {
  /** answer rows REFRESH is timed at, ascending; the first is seeded, the others grown to */
  sizes: number[];
  /** REFRESHes timed at each size */
  timings: number;
}

export interface BatchSpec {
  /** rows per transaction */
  sizes: number[];
  methods: Array<'insert' | 'copy'>;
  /** rows written per cell (method × size), at least one transaction */
  rowsPerCell: number;
}

export interface BypassSpec {
  /** rows each path (other than TRUNCATE, which takes them all) inserts or deletes */
  rows: number;
}

export interface SuitePhaseSpec {
  name: string;
  kind: SuitePhaseKind;
  title: string;
  /** claim ids (reports/analysis.ts) this phase's conditions decide */
  decides: string[];
  /** the load, data and strategies of the phase, validated as any scenario (every kind but
   *  interleave) */
  scenario?: Scenario;
  /** load: measure baseline beside the strategies (default true); a phase whose claims need no
   *  ratio to it can leave it out */
  baseline?: boolean;
  /** interleave: the strategies, and the spec ids to run (default: every built-in spec) */
  strategies?: string[];
  specs?: string[];
  refresh?: RefreshSpec;
  batch?: BatchSpec;
  bypass?: BypassSpec;
}

export interface Suite {
  name: string;
  description: string;
  /** the phase whose strategies fill results.strategies */
  main: string | null;
  phases: SuitePhaseSpec[];
}
