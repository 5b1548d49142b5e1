import { TypeCompiler } from "@sinclair/typebox/compiler";
import { ValueErrorType, type ValueError } from "@sinclair/typebox/errors";
import { Value } from "@sinclair/typebox/value";
import type { TSchema } from "@sinclair/typebox";
import type { FastifySchemaCompiler } from "fastify";

/** At most this many problems are spelled out per request (a 10,000-receipt batch may have many). */
const MAX_ERRORS = 5;

/** A validation failure: 400 with every problem (up to MAX_ERRORS) in one message. */
export class RequestValidationError extends Error {
  readonly statusCode = 400;
  readonly code = "invalid_request";
}

function describe(e: ValueError): string {
  const s = e.schema as Record<string, unknown>;
  switch (e.type) {
    case ValueErrorType.ObjectRequiredProperty:
      return "is required";
    case ValueErrorType.ObjectAdditionalProperties:
      return "is not an allowed property";
    case ValueErrorType.StringPattern: {
      const hex = /^\^0x\[0-9a-fA-F\]\{(\d+)\}\$$/.exec(String(s.pattern));
      if (hex) {
        const digits = Number(hex[1]);
        const got = typeof e.value === "string" ? `, got ${e.value.length} characters` : "";
        return `must be 0x followed by ${digits} hex digits (${digits / 2} bytes)${got}`;
      }
      return `must match ${String(s.pattern)}`;
    }
    case ValueErrorType.Integer:
      return `must be an integer, got ${JSON.stringify(e.value) ?? typeof e.value}`;
    case ValueErrorType.IntegerMinimum:
      return `must be >= ${String(s.minimum)}, got ${String(e.value)}`;
    case ValueErrorType.IntegerMaximum:
      return `must be <= ${String(s.maximum)}, got ${String(e.value)}`;
    case ValueErrorType.ArrayMaxItems:
      return `must have at most ${String(s.maxItems)} items, got ${Array.isArray(e.value) ? e.value.length : "?"}`;
    case ValueErrorType.ArrayMinItems:
      return `must have at least ${String(s.minItems)} item${s.minItems === 1 ? "" : "s"}`;
    case ValueErrorType.String:
      return `must be a string, got ${e.value === null ? "null" : typeof e.value}`;
    case ValueErrorType.Object:
      return `must be an object, got ${e.value === null ? "null" : Array.isArray(e.value) ? "array" : typeof e.value}`;
    case ValueErrorType.Array:
      return `must be an array, got ${e.value === null ? "null" : typeof e.value}`;
    default:
      return e.message.charAt(0).toLowerCase() + e.message.slice(1);
  }
}

/**
 * Fastify validator compiler on TypeBox's compiled checks: request bodies are checked as sent (no type
 * coercion, no silent removal of unknown properties: `additionalProperties: false` means a 400);
 * params and query strings are converted from their string form first.
 */
export const validatorCompiler: FastifySchemaCompiler<TSchema> = ({ schema, httpPart }) => {
  const check = TypeCompiler.Compile(schema);
  const part = httpPart ?? "body";
  return (value: unknown) => {
    const v = part === "body" ? value : Value.Convert(schema, value);
    if (check.Check(v)) return { value: v };
    const problems: string[] = [];
    let total = 0;
    for (const e of check.Errors(v)) {
      total++;
      if (problems.length < MAX_ERRORS) problems.push(`${part}${e.path} ${describe(e)}`);
      if (total > 1000) break;
    }
    let message = problems.join("; ");
    if (total > problems.length)
      message += ` (and ${total > 1000 ? "over 1000" : total - problems.length} more)`;
    return { error: new RequestValidationError(message) };
  };
};
