// The harness owns only schemas named counterbench_*; every create, empty and drop goes through
// ownSchema() so that nothing else in a user's database can be touched by mistake.
import { UsageError } from '../errors.ts';

export const SCHEMA_PREFIX = 'counterbench_';
const OWN = /^counterbench_[a-z0-9_]+$/;

/** The schema of a strategy: counterbench_[<namespace>_]<id>, dashes become underscores. */
export function schemaFor(strategyId: string, namespace?: string): string {
  const id = strategyId.replace(/-/g, '_');
  return ownSchema(`${SCHEMA_PREFIX}${namespace ? namespace + '_' : ''}${id}`);
}

/** Returns the name when the harness may create, empty or drop it; throws otherwise. */
export function ownSchema(name: string): string {
  if (!OWN.test(name) || name.length > 63) {
    throw new UsageError(`refusing to touch schema "${name}": counterbench only manages schemas named ${SCHEMA_PREFIX}<lowercase letters, digits, _>`);
  }
  return name;
}

/** A namespace given by the user must keep the schema inside the prefix rules. */
export function checkNamespace(ns: string | undefined): string | undefined {
  if (ns === undefined) return undefined;
  if (!/^[a-z0-9_]{1,20}$/.test(ns)) throw new UsageError(`--namespace: expected 1-20 of a-z, 0-9, _; got "${ns}"`);
  return ns;
}

/** The namespace a strategy schema of a run belongs to (undefined: the default one), or null
 *  when the name is not counterbench_[<namespace>_]<strategy id>. */
export function namespaceOfSchema(name: string, strategyIds: readonly string[]): string | undefined | null {
  if (!name.startsWith(SCHEMA_PREFIX)) return null;
  const rest = name.slice(SCHEMA_PREFIX.length);
  for (const id of strategyIds.map((x) => x.replace(/-/g, '_'))) {
    if (rest === id) return undefined;
    if (rest.endsWith('_' + id)) return rest.slice(0, -id.length - 1);
  }
  return null;
}
