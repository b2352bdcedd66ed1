// Where the command line writes: results and tables to stdout, progress and notes to stderr,
// so that `--json` output stays machine-readable.
export interface Output {
  out(text: string): void;
  err(text: string): void;
  /** stderr is a terminal: progress lines may update in place */
  tty: boolean;
}

export const processOutput: Output = {
  out: (t) => process.stdout.write(t.endsWith('\n') ? t : t + '\n'),
  err: (t) => process.stderr.write(t.endsWith('\n') ? t : t + '\n'),
  tty: Boolean(process.stderr.isTTY && process.stdout.isTTY),
};
