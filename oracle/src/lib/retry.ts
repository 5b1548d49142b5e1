import {
  BaseError,
  ContractFunctionRevertedError,
  HttpRequestError,
  InternalRpcError,
  LimitExceededRpcError,
  ResourceUnavailableRpcError,
  SocketClosedError,
  TimeoutError,
  WebSocketRequestError,
} from "viem";
import { OracleError, errorMessage } from "./errors.js";
import type { Logger } from "./logger.js";

/**
 * Whether a failed chain call may succeed when simply repeated: transport failures, timeouts, provider
 * overload and internal errors yes; a contract revert or a malformed request no.
 */
export function isRetryable(err: unknown): boolean {
  if (err instanceof OracleError) return err.retryable;
  if (!(err instanceof BaseError)) {
    const code = (err as NodeJS.ErrnoException | undefined)?.code;
    return code === "ECONNREFUSED" || code === "ECONNRESET" || code === "ETIMEDOUT" || code === "EPIPE";
  }
  if (err.walk((e) => e instanceof ContractFunctionRevertedError) instanceof ContractFunctionRevertedError) {
    return false;
  }
  const transient = err.walk(
    (e) =>
      e instanceof HttpRequestError ||
      e instanceof TimeoutError ||
      e instanceof SocketClosedError ||
      e instanceof WebSocketRequestError ||
      e instanceof LimitExceededRpcError ||
      e instanceof ResourceUnavailableRpcError ||
      e instanceof InternalRpcError,
  );
  return transient !== null && transient !== undefined;
}

export interface RetryOptions {
  /** Attempts in all (default 6: waits of 0.5, 1, 2, 4, 8 s in between). */
  attempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  logger?: Logger;
}

/** Runs `fn`, repeating it with exponential backoff while it fails with a retryable error. */
export async function withRetry<T>(what: string, fn: () => Promise<T>, opts: RetryOptions = {}): Promise<T> {
  const attempts = opts.attempts ?? 6;
  let delay = opts.baseDelayMs ?? 500;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (attempt >= attempts || !isRetryable(err)) throw err;
      opts.logger?.warn({ err: errorMessage(err), attempt, delayMs: delay }, `${what} failed; retrying`);
      await sleep(delay);
      delay = Math.min(delay * 2, opts.maxDelayMs ?? 30_000);
    }
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
