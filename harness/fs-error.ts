// A file-system error in one line: its code and what it says, without the path Node repeats.
export function describeFsError(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  const code = err?.code;
  const text = String(err?.message ?? e).replace(/^[A-Z]+: /, '').replace(/, \w+ '.*'$/s, '');
  return code ? `${code}, ${text}` : text;
}
