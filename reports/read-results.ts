// Loads a results.json for `report` and `compare`: a missing, unreadable or foreign file is bad
// usage (exit 2) with one message that names the file.
import { readFile } from 'node:fs/promises';
import { UsageError } from '../harness/errors.ts';
import type { Results } from '../harness/results/types.ts';

export async function readResults(file: string): Promise<Results> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : (e as Error).message;
    throw new UsageError(`cannot read ${file}: ${why}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${file} is not valid JSON: ${(e as Error).message}`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new UsageError(`${file} is not a counterbench results file: expected a JSON object`);
  const r = data as Record<string, unknown>;
  if (typeof r.schemaVersion !== 'number') throw new UsageError(`${file} is not a counterbench results file: no numeric "schemaVersion"`);
  if (!Array.isArray(r.strategies)) throw new UsageError(`${file} is not a counterbench results file: no "strategies" array`);
  if (typeof r.run !== 'object' || r.run === null) throw new UsageError(`${file} is not a counterbench results file: no "run" object`);
  for (const [i, s] of (r.strategies as unknown[]).entries()) {
    const ok = typeof s === 'object' && s !== null && typeof (s as Record<string, unknown>).id === 'string';
    if (!ok) throw new UsageError(`${file}: strategies[${i}] has no "id"`);
    const st = s as Record<string, unknown>;
    // Older or partial files may lack these; the reports treat them as empty.
    st.ops ??= {};
    st.counters ??= [];
    st.title ??= st.id;
  }
  return data as Results;
}
