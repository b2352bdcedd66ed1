// Readable names for the error kinds the harness records (SQLSTATE classes, or its own words).
const SQLSTATE_CLASSES: Record<string, string> = {
  '08': 'connection exception',
  '22': 'data exception',
  '23': 'integrity constraint violation',
  '25': 'invalid transaction state',
  '40': 'transaction rollback (serialization failure, deadlock)',
  '42': 'syntax error or access rule violation',
  '53': 'insufficient resources',
  '54': 'program limit exceeded',
  '55': 'object not in prerequisite state (e.g. lock not available)',
  '57': 'operator intervention (e.g. query canceled, statement timeout)',
  '58': 'system error',
  P0: 'PL/pgSQL error',
  XX: 'internal error',
};

const OWN_KINDS: Record<string, string> = {
  connection: 'connection to Postgres lost',
  redis: 'Redis unreachable',
  'app-crash': 'application crashed mid-write (injected fault)',
  dropped: 'arrival dropped: too many operations in flight',
};

export function describeErrorKind(kind: string): string {
  if (OWN_KINDS[kind]) return `${kind}: ${OWN_KINDS[kind]}`;
  const cls = /^[0-9A-Z]{2}/.test(kind) ? kind.slice(0, 2) : undefined;
  const name = cls && (kind.length === 2 || kind.length === 5) ? SQLSTATE_CLASSES[cls] : undefined;
  return name ? `${kind}: ${name}` : kind;
}
