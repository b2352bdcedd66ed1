// A straight line through measured points, by least squares: how a time grows with a size.

export interface LineFit {
  intercept: number;
  slope: number;
  /** share of the variance the line explains (1 with two points) */
  r2: number;
}

/** null with fewer than two distinct x values. */
export function fitLine(points: ReadonlyArray<readonly [x: number, y: number]>): LineFit | null {
  const n = points.length;
  if (n < 2) return null;
  const mx = points.reduce((a, p) => a + p[0], 0) / n;
  const my = points.reduce((a, p) => a + p[1], 0) / n;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (const [x, y] of points) {
    sxx += (x - mx) ** 2;
    sxy += (x - mx) * (y - my);
    syy += (y - my) ** 2;
  }
  if (sxx === 0) return null;
  const slope = sxy / sxx;
  const r2 = syy === 0 ? 1 : (sxy * sxy) / (sxx * syy);
  return { intercept: my - slope * mx, slope, r2 };
}
