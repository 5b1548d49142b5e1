/**
 * One base error for the oracle: a short message, optional details for logs, an optional cause, and
 * whether retrying the same operation may succeed (drives retries in loops such as the chain indexer).
 */
export class OracleError extends Error {
  readonly code: string;
  readonly details: Record<string, unknown> | undefined;
  readonly retryable: boolean;

  constructor(
    code: string,
    message: string,
    opts: { details?: Record<string, unknown>; cause?: unknown; retryable?: boolean } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = "OracleError";
    this.code = code;
    this.details = opts.details;
    this.retryable = opts.retryable ?? false;
  }
}

/** Bad configuration: the message lists every bad value, one per line. */
export class ConfigError extends OracleError {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(
      "invalid_config",
      problems.length === 1
        ? `invalid configuration: ${problems[0]}`
        : `invalid configuration:\n  ${problems.join("\n  ")}`,
    );
    this.name = "ConfigError";
    this.problems = problems;
  }
}

/** Input from a user (CLI arguments, API callers) that is not acceptable; the message says why. */
export class InputError extends OracleError {
  constructor(message: string, details?: Record<string, unknown>) {
    super("invalid_input", message, details === undefined ? {} : { details });
    this.name = "InputError";
  }
}

/** Turns anything thrown into a one-line message (CLI output, logs). */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
