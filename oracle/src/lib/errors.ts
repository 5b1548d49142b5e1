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

/**
 * An error the HTTP API answers with its status code: a 4xx with its code and message; a 5xx as
 * "unavailable" / "internal" (its message logged, not sent), unless `expose` says the message was written for
 * clients and holds nothing internal (e.g. "this oracle has no chain configured").
 */
export class ApiError extends OracleError {
  readonly expose: boolean;
  constructor(
    readonly statusCode: number,
    code: string,
    message: string,
    opts: { expose?: boolean; cause?: unknown } = {},
  ) {
    super(code, message, { retryable: statusCode === 503, cause: opts.cause });
    this.name = "ApiError";
    this.expose = statusCode < 500 || (opts.expose ?? false);
  }
}
