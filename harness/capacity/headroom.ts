// Knees turned into the planner's figures, for a workload profile: how many times its peak each
// strategy holds at each measured size, and at how many users the peak meets the knee. Between
// two measured sizes the knee is interpolated on a log-log line; outside them it is projected
// (flat below the smallest size, along the last measured slope but never rising beyond the
// largest) and labelled so: a projection is never shown as a measurement.
import type { WorkloadProfile } from '../config/types.ts';
import type { CapacityCrossing, CapacityResult, CapacitySearch } from '../results/types.ts';

const SECONDS_PER_DAY = 86_400;

/** Writes per user per second at the profile's peak. */
export function peakWritesPerUserPerSecond(p: WorkloadProfile): number {
  if (p.peakWritesPerUserPerSecond !== undefined) return p.peakWritesPerUserPerSecond;
  return ((p.writesPerUserPerDay ?? 0) / SECONDS_PER_DAY) * (p.peakToAverage ?? 1);
}

interface Point {
  users: number;
  /** writes per second at the knee */
  writes: number;
  lowerBound: boolean;
}

type Basis = NonNullable<CapacityCrossing['basis']>;

function pointsOf(searches: CapacitySearch[], strategy: string, sloP99Ms: number, writeShare: number): Point[] {
  return searches
    .filter((s) => s.strategy === strategy)
    .flatMap((s) => {
      const k = s.knees.find((x) => x.sloP99Ms === sloP99Ms);
      return k && k.rate !== null && k.rate > 0 ? [{ users: s.users, writes: k.rate * writeShare, lowerBound: k.lowerBound }] : [];
    })
    .sort((a, b) => a.users - b.users);
}

/** Slope of log(knee) over log(users) between two points; capacity is not assumed to grow with
 *  the data, so a rising slope counts as flat. */
function slope(a: Point, b: Point): number {
  return Math.min(0, Math.log(b.writes / a.writes) / Math.log(b.users / a.users));
}

/** The knee (writes/s) at `users`, from the measured points, and how it was obtained. */
export function kneeAt(points: Point[], users: number): { writes: number; basis: Basis; lowerBound: boolean } | null {
  if (!points.length) return null;
  const exact = points.find((p) => p.users === users);
  if (exact) return { writes: exact.writes, basis: 'measured', lowerBound: exact.lowerBound };
  const first = points[0];
  const last = points[points.length - 1];
  if (users < first.users) return { writes: first.writes, basis: 'projected', lowerBound: first.lowerBound };
  if (users > last.users) {
    const s = points.length > 1 ? slope(points[points.length - 2], last) : 0;
    return { writes: last.writes * (users / last.users) ** s, basis: 'projected', lowerBound: last.lowerBound || (points.length > 1 && points[points.length - 2].lowerBound) };
  }
  const i = points.findIndex((p) => p.users > users);
  const a = points[i - 1];
  const b = points[i];
  const t = Math.log(users / a.users) / Math.log(b.users / a.users);
  return { writes: Math.exp(Math.log(a.writes) + t * Math.log(b.writes / a.writes)), basis: 'interpolated', lowerBound: a.lowerBound || b.lowerBound };
}

/** Users n where knee(n) = n x peak per user, with knee(n) from the points as kneeAt reads them. */
export function crossingUsers(points: Point[], perUser: number): { users: number; basis: Basis; lowerBound: boolean } | null {
  if (!points.length || !(perUser > 0)) return null;
  const margin = (p: Point) => p.writes - p.users * perUser;
  const i = points.findIndex((p) => margin(p) <= 0);
  // n with log k(n) = log n + log perUser on the log-log line through `a` with slope s
  const solve = (a: Point, s: number) => Math.exp((Math.log(a.writes) - s * Math.log(a.users) - Math.log(perUser)) / (1 - s));
  if (i === 0) {
    const p = points[0];
    if (margin(p) === 0) return { users: p.users, basis: 'measured', lowerBound: p.lowerBound };
    // already over the knee at the smallest size: below it the knee is taken as flat
    return { users: p.writes / perUser, basis: 'projected', lowerBound: p.lowerBound };
  }
  if (i > 0) {
    const a = points[i - 1];
    const b = points[i];
    const s = Math.log(b.writes / a.writes) / Math.log(b.users / a.users);
    const users = s < 1 ? solve(a, s) : b.users;
    return { users: Math.min(b.users, Math.max(a.users, users)), basis: 'interpolated', lowerBound: a.lowerBound || b.lowerBound };
  }
  const last = points[points.length - 1];
  const s = points.length > 1 ? slope(points[points.length - 2], last) : 0;
  return { users: solve(last, s), basis: 'projected', lowerBound: last.lowerBound || (points.length > 1 && points[points.length - 2].lowerBound) };
}

/** Adds headroom to every knee, the crossings and today's headroom. */
export function addHeadroom(c: CapacityResult, profile: WorkloadProfile, strategies: string[]): void {
  const perUser = peakWritesPerUserPerSecond(profile);
  const share = c.settings.writeShare;
  c.profile = { ...profile, peakWritesPerUserPerSecond: perUser };
  for (const s of c.searches) {
    const peak = s.users * perUser;
    for (const k of s.knees) k.headroom = k.rate === null || !(peak > 0) ? null : (k.rate * share) / peak;
  }
  c.crossings = [];
  c.today = [];
  for (const strategy of strategies) {
    for (const slo of c.settings.sloP99Ms) {
      const points = pointsOf(c.searches, strategy, slo, share);
      const x = crossingUsers(points, perUser);
      c.crossings.push({ strategy, sloP99Ms: slo, users: x ? Math.round(x.users) : null, basis: x?.basis ?? null, lowerBound: x?.lowerBound ?? false });
      const k = kneeAt(points, profile.users);
      const peak = profile.users * perUser;
      c.today.push({ strategy, sloP99Ms: slo, headroom: k && peak > 0 ? k.writes / peak : null, basis: k?.basis ?? null, lowerBound: k?.lowerBound ?? false });
    }
  }
}
