// A file-system error in one line, for messages that already name the path.

/** "CODE, what it means", without the path Node appends. */
export function describeFsError(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  const code = err?.code;
  const text = String(err?.message ?? e).replace(/^[A-Z]+: /, '').replace(/, \w+ '.*'$/s, '');
  return code ? `${code}, ${text}` : text;
}
