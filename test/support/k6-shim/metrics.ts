// A minimal k6/metrics: every sample the script adds, with its metric name and tags.
export const samples: Array<{ metric: string; value: number; tags: Record<string, string> }> = [];

class Metric {
  constructor(readonly name: string) {}
  add(value: number, tags: Record<string, string> = {}): void {
    samples.push({ metric: this.name, value, tags: { ...tags } });
  }
}

export class Trend extends Metric {
  constructor(name: string, _isTime?: boolean) {
    super(name);
  }
}
export class Counter extends Metric {}
export class Rate extends Metric {}
export class Gauge extends Metric {}
