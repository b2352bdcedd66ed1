// The --budget of a capacity search: one deadline for everything, shared out as the search goes.
// Each search (strategy x size) gets what is left, minus what the larger sizes' deployments are
// expected to take, divided by the searches still to begin; a search that finishes early leaves
// its time to the next ones.

/** Before any step has been timed: what a step costs beyond its warm-up and window (connections,
 *  snapshots, drain, the exact check). */
const FIRST_STEP_OVERHEAD_MS = 2500;

export class Budget {
  readonly deadline: number;
  constructor(
    readonly totalMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.deadline = now() + totalMs;
  }

  leftMs(): number {
    return Math.max(0, this.deadline - this.now());
  }

  usedMs(): number {
    return this.totalMs - this.leftMs();
  }

  /** The time one search may take, when `searchesLeft` (this one included) are still to begin
   *  and `reserveMs` must stay for later deployments. */
  share(searchesLeft: number, reserveMs: number): number {
    return Math.max(0, (this.leftMs() - reserveMs) / Math.max(1, searchesLeft));
  }
}

/** The clock of one search: may the next step start? */
export class SearchClock {
  private readonly startedAt: number;
  private overheadMs = FIRST_STEP_OVERHEAD_MS;
  constructor(
    readonly shareMs: number,
    private readonly stepMs: number,
    private readonly budget: Budget,
    private readonly now: () => number = Date.now,
  ) {
    this.startedAt = now();
  }

  /** the last step's wall time tells what the next one will cost */
  stepTook(wallMs: number): void {
    this.overheadMs = Math.max(0, wallMs - this.stepMs);
  }

  nextStepMs(): number {
    return this.stepMs + this.overheadMs;
  }

  canStep(): boolean {
    const need = this.nextStepMs();
    return this.now() - this.startedAt + need <= this.shareMs && need <= this.budget.leftMs();
  }

  usedMs(): number {
    return this.now() - this.startedAt;
  }
}

/** Time later sizes' deployments will take, from what deploying so far cost per user. */
export function deployReserveMs(msPerUser: number | undefined, laterSizes: number[]): number {
  if (msPerUser === undefined) return 0;
  return laterSizes.reduce((a, n) => a + n * msPerUser, 0);
}
