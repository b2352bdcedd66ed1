// SQL files shipped under sql/, found relative to the package, not the working directory.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export function sqlFile(relative: string): string {
  return fs.readFileSync(path.join(PACKAGE_ROOT, 'sql', relative), 'utf8');
}
