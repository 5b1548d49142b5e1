import { pino, type Logger as PinoLogger } from "pino";
import type { LogLevel } from "../config/schema.js";

export type Logger = PinoLogger;

/**
 * The process logger (pino, JSON lines; fastify uses it for request logs). Request and response headers
 * are not logged; configuration is logged only through `redactConfig`.
 */
export function createLogger(level: LogLevel, destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      base: { pid: process.pid, service: "msn-oracle" },
      redact: {
        paths: ["req.headers.authorization", "req.headers.cookie", "databaseUrl", "rpcUrl", "signerKeys"],
        censor: "***",
      },
    },
    destination as pino.DestinationStream | undefined,
  );
}
