// Debian's prometheus package (promtool, prometheus): .ci/run installs it where it is missing.
// A test that needs it fails with this message rather than skipping, so CI cannot go green
// without having run the rules through a real Prometheus.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';

export const PROMTOOL = process.env.PROMTOOL_PATH ?? '/usr/bin/promtool';
export const PROMETHEUS = process.env.PROMETHEUS_PATH ?? '/usr/bin/prometheus';
export const ALERTS_FILE = path.resolve('monitoring/alerts.yml');

export interface Rule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export function alertRules(): Rule[] {
  const doc = YAML.parse(readFileSync(ALERTS_FILE, 'utf8')) as { groups: Array<{ rules: Rule[] }> };
  return doc.groups.flatMap((g) => g.rules);
}

/** promtool's output and exit status; throws a readable error when it is not installed. */
export function promtool(args: string[]): { code: number; output: string } {
  try {
    const out = execFileSync(PROMTOOL, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return { code: 0, output: out };
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { status?: number; stdout?: string; stderr?: string };
    if (err.code === 'ENOENT') throw new Error(`${PROMTOOL} not found: install Debian's prometheus package (apt-get install prometheus), as .ci/run does`);
    return { code: err.status ?? 1, output: `${err.stdout ?? ''}${err.stderr ?? ''}` };
  }
}

export const DASHBOARD_FILE = path.resolve('monitoring/dashboard.json');

export interface DashboardQuery {
  panel: string;
  refId: string;
  /** as written in the dashboard */
  expr: string;
  /** with Grafana's variables replaced by what Grafana would send ($__rate_interval: 1m, $strategy: All) */
  promql: string;
}

interface Panel {
  type: string;
  title: string;
  id: number;
  gridPos: { x: number; y: number; w: number; h: number };
  targets?: Array<{ refId: string; expr: string }>;
}

export function dashboardPanels(): Panel[] {
  return (JSON.parse(readFileSync(DASHBOARD_FILE, 'utf8')) as { panels: Panel[] }).panels;
}

export function dashboardQueries(): DashboardQuery[] {
  return dashboardPanels().flatMap((p) =>
    (p.targets ?? []).map((t) => ({
      panel: p.title,
      refId: t.refId,
      expr: t.expr,
      promql: t.expr.replaceAll('$__rate_interval', '1m').replaceAll('$strategy', '.*'),
    })),
  );
}
