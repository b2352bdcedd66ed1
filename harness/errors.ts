// Exit codes of the command line (DESIGN.md): 0 success, 1 a threshold or a consistency check
// failed, 2 bad usage, configuration or connection.
export const EXIT_OK = 0;
export const EXIT_FAILED_CHECK = 1;
export const EXIT_USAGE = 2;

/** Bad input or an unreachable server: one clear message, exit code 2. */
export class UsageError extends Error {
  readonly exitCode = EXIT_USAGE;
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
