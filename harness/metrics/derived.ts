// A metric whose samples are computed when Prometheus scrapes, from figures the harness keeps
// anyway (the load's HDR histograms and counts, the samplers' last results). prom-client's own
// classes are fed by observe()/inc() calls; these are read, so they add no work to the load.
import type { Registry } from 'prom-client';

export interface Sample {
  labels: Record<string, string | number>;
  value: number;
  /** for a histogram's _bucket, _sum and _count lines */
  metricName?: string;
}

export interface DerivedSpec {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram';
  samples: () => Sample[];
}

/** Registers a metric whose values `samples()` returns at each scrape. */
export function registerDerived(registry: Registry, spec: DerivedSpec): void {
  // the shape prom-client's Registry reads from a metric (name, help, type, get())
  const metric = {
    name: spec.name,
    help: spec.help,
    type: spec.type,
    aggregator: 'sum',
    get: async () => ({ name: spec.name, help: spec.help, type: spec.type, aggregator: 'sum', values: spec.samples() }),
    reset: () => {},
  };
  registry.registerMetric(metric as unknown as Parameters<Registry['registerMetric']>[0]);
}

/** A cumulative histogram's lines (bucket counts already cumulative per bound). */
export function histogramSamples(name: string, labels: Record<string, string>, bounds: readonly number[], cumulative: number[], count: number, sum: number): Sample[] {
  const out: Sample[] = bounds.map((le, i) => ({ metricName: `${name}_bucket`, labels: { ...labels, le }, value: cumulative[i] }));
  out.push({ metricName: `${name}_bucket`, labels: { ...labels, le: '+Inf' }, value: count });
  out.push({ metricName: `${name}_sum`, labels, value: sum });
  out.push({ metricName: `${name}_count`, labels, value: count });
  return out;
}
