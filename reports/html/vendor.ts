// The chart libraries, read from node_modules and inlined, so report.html draws its charts with
// no network at all (a file mailed around, opened on a plane, printed from an archive).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const BUILDS = [
  ['vega', 'build/vega.min.js'],
  ['vega-lite', 'build/vega-lite.min.js'],
  ['vega-embed', 'build/vega-embed.min.js'],
] as const;

let cached: string[] | undefined;

/** Finds node_modules/<pkg>/<file> walking up from this module; the packages export no
 *  package.json, so require.resolve cannot point at their build folder. */
function locate(pkg: string, file: string): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = path.join(dir, 'node_modules', pkg, file);
    if (existsSync(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`cannot find ${pkg}/${file} in any node_modules above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

/** The three libraries' sources, each safe to put inside a <script> element. */
export function vendorScripts(): string[] {
  cached ??= BUILDS.map(([pkg, file]) =>
    readFileSync(locate(pkg, file), 'utf8')
      // A source map comment would make a browser's dev tools look for a file that is not there.
      .replace(/\n?\/\/# sourceMappingURL=\S+\s*$/, '')
      .replace(/<\/script/gi, '<\\/script')
      .replace(/<!--/g, '<\\!--'),
  );
  return cached;
}
