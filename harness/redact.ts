// Connection strings reach output only through here, so a password never does.

/** Where a URL points, for messages: host:port/database, no credentials at all. */
export function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    const db = u.pathname.replace(/^\//, '');
    return `${u.hostname}${u.port ? ':' + u.port : ''}${db ? '/' + db : ''}`;
  } catch {
    return '(unparseable URL)';
  }
}

/** Removes every occurrence of the given secrets from a message. */
export function scrub(message: string, secrets: Array<string | undefined>): string {
  let out = message;
  for (const s of secrets) if (s) out = out.split(s).join('***');
  return out;
}

/** What of a connection string must never be printed: the string itself and its password,
 *  as written and decoded. */
export function secretsOf(url: string): string[] {
  const out = [url];
  try {
    const u = new URL(url);
    if (u.password) out.push(decodeURIComponent(u.password), u.password);
    const p = u.searchParams.get('password');
    if (p) out.push(p);
  } catch {
    // not a URL: the whole string is all we can hide
  }
  return out.filter((s) => s.length > 0);
}
