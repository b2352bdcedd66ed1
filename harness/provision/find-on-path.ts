import fs from 'node:fs';
import path from 'node:path';

/** The executable `bin` in one of PATH's directories, or null. */
export function findOnPath(bin: string, pathVar = process.env.PATH ?? ''): string | null {
  for (const dir of pathVar.split(path.delimiter)) {
    if (!dir) continue;
    const p = path.join(dir, bin);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      /* not here */
    }
  }
  return null;
}
