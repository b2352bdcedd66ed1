// Connection strings reach output only through here, so a password never does.

/** The URL with its password replaced by ***; text that is not a URL comes back unchanged. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    if (u.searchParams.has('password')) u.searchParams.set('password', '***');
    return u.toString();
  } catch {
    return url.replace(/(:\/\/[^:/@]*:)[^@]*@/, '$1***@');
  }
}

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
