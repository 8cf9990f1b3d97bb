/** A mistake in the command line: exit code 64 (EX_USAGE) and the usage text. */
export class UsageError extends Error {
  readonly code = 'CLI.USAGE';
}
