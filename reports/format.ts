// Number formatting shared by every report, so a figure reads the same in HTML, Markdown and text.

const intFmt = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** A number with `digits` significant figures below 100, whole above: 0.0412, 4.12, 41.2, 412. */
export function fmtNum(v: number | null | undefined, digits = 3): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  const a = Math.abs(v);
  if (a === 0) return '0';
  if (a >= 100) return intFmt.format(v);
  return Number(v.toPrecision(digits)).toString();
}

export function fmtInt(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  return intFmt.format(v);
}

/** Milliseconds, switching to seconds from 1 s on so long stalls stay readable. */
export function fmtMs(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  if (Math.abs(v) >= 1000) return `${fmtNum(v / 1000)} s`;
  return `${fmtNum(v)} ms`;
}

export function fmtRate(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  return `${fmtNum(v)} ops/s`;
}

export function fmtPct(v: number | null | undefined, digits = 4): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  if (v === 100) return '100 %';
  return `${Number(v.toPrecision(digits))} %`;
}

export function fmtRatio(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  return `${fmtNum(v)}×`;
}

export function fmtBytes(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  const a = Math.abs(v);
  if (a < 1024) return `${fmtNum(v)} B`;
  if (a < 1024 * 1024) return `${fmtNum(v / 1024)} KiB`;
  if (a < 1024 ** 3) return `${fmtNum(v / 1024 ** 2)} MiB`;
  return `${fmtNum(v / 1024 ** 3)} GiB`;
}

/** Signed percentage change, e.g. +12.5 % or −3.1 %. */
export function fmtChange(pct: number | null | undefined): string {
  if (pct === null || pct === undefined) return 'new';
  if (!Number.isFinite(pct)) return '–';
  const s = Number(Math.abs(pct).toPrecision(3)).toString();
  return pct > 0 ? `+${s} %` : pct < 0 ? `−${s} %` : '0 %';
}

/** The unit a server-cost figure is in, guessed from its name (they are an open record). */
export type FigureUnit = 'bytes' | 'ms' | 'count';

export function unitOfFigure(name: string): FigureUnit {
  if (/bytes/i.test(name)) return 'bytes';
  if (/(ms|millis|duration|time)$/i.test(name) || /Ms[A-Z.]|Ms$/.test(name)) return 'ms';
  return 'count';
}

export function fmtFigure(name: string, v: number | null | undefined): string {
  const unit = unitOfFigure(name);
  if (unit === 'bytes') return fmtBytes(v);
  if (unit === 'ms') return fmtMs(v);
  return fmtNum(v);
}
