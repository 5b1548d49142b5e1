import { existsSync, readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import path from "node:path";
import { ConfigError } from "../lib/errors.js";
import { ADDRESS_RE } from "../lib/hex.js";
import { CLOCK_SOURCES, DEFAULTS, FIELDS, LOG_LEVELS, type Field, type OracleConfig } from "./schema.js";

const PRIVATE_KEY_RE = /^0x[0-9a-fA-F]{64}$/;

export interface LoadConfigOptions {
  /** Environment variables (default: process.env). */
  env?: Record<string, string | undefined>;
  /** JSON config file (default: env ORACLE_CONFIG). Keys are the OracleConfig keys. */
  file?: string;
  /** Values that win over everything (CLI flags), by OracleConfig key. */
  overrides?: Partial<Record<keyof OracleConfig, unknown>>;
}

function show(field: Field, raw: unknown): string {
  if (field.secret) return "";
  return ` (got ${JSON.stringify(raw)})`;
}

/** Parses one raw value (string from env / CLI, or JSON value from the file). Returns [value] or an error. */
function parseField(field: Field, raw: unknown): { value: unknown } | { error: string } {
  const got = show(field, raw);
  switch (field.kind) {
    case "int": {
      let n: number;
      if (typeof raw === "number") n = raw;
      else if (typeof raw === "string" && /^-?[0-9]+$/.test(raw.trim())) n = Number(raw.trim());
      else n = NaN;
      const min = field.min ?? 0;
      const max = field.max ?? Number.MAX_SAFE_INTEGER;
      if (!Number.isSafeInteger(n) || n < min || n > max) {
        return { error: `must be an integer from ${min} to ${max}${got}` };
      }
      return { value: n };
    }
    case "bool": {
      if (typeof raw === "boolean") return { value: raw };
      if (typeof raw === "string" && /^(true|1|yes|on)$/i.test(raw)) return { value: true };
      if (typeof raw === "string" && /^(false|0|no|off)$/i.test(raw)) return { value: false };
      return { error: `must be true or false${got}` };
    }
    case "level": {
      if (typeof raw === "string" && (LOG_LEVELS as readonly string[]).includes(raw)) return { value: raw };
      return { error: `must be one of ${LOG_LEVELS.join(", ")}${got}` };
    }
    case "clock": {
      if (typeof raw === "string" && (CLOCK_SOURCES as readonly string[]).includes(raw))
        return { value: raw };
      return { error: `must be one of ${CLOCK_SOURCES.join(", ")}${got}` };
    }
    case "keys": {
      const list =
        typeof raw === "string" ? raw.split(",").map((k) => k.trim()) : Array.isArray(raw) ? raw : [raw];
      if (list.length === 0 || list.some((k) => typeof k !== "string" || !PRIVATE_KEY_RE.test(k))) {
        return { error: "must be one or more comma-separated 0x-prefixed 32-byte hex private keys" };
      }
      const keys = (list as string[]).map((k) => k.toLowerCase());
      if (new Set(keys).size !== keys.length) return { error: "lists the same key twice" };
      return { value: keys };
    }
    case "address": {
      if (typeof raw === "string" && ADDRESS_RE.test(raw)) return { value: raw.toLowerCase() };
      return { error: `must be a 0x-prefixed 20-byte hex address${got}` };
    }
    case "url":
    case "dburl": {
      if (typeof raw !== "string") return { error: `must be a URL string${got}` };
      let url: URL;
      try {
        url = new URL(raw);
      } catch {
        return { error: `must be a valid URL${got}` };
      }
      const ok =
        field.kind === "url"
          ? ["http:", "https:", "ws:", "wss:"].includes(url.protocol)
          : ["postgres:", "postgresql:"].includes(url.protocol);
      if (!ok) {
        return {
          error:
            field.kind === "url"
              ? `must be an http(s):// or ws(s):// URL${got}`
              : `must be a postgres:// or postgresql:// URL${got}`,
        };
      }
      return { value: raw };
    }
    case "string":
    case "path": {
      if (typeof raw !== "string" || raw.trim() === "") return { error: `must be a non-empty string${got}` };
      return { value: raw };
    }
  }
}

function readConfigFile(file: string): Record<string, unknown> {
  if (!existsSync(file)) throw new ConfigError([`config file ${file} does not exist`]);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new ConfigError([`config file ${file} is not valid JSON: ${(err as Error).message}`]);
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new ConfigError([`config file ${file} must hold a JSON object`]);
  }
  return parsed as Record<string, unknown>;
}

/**
 * Loads the configuration: defaults < JSON file < environment < overrides. Every bad value is reported
 * at once, one line each, naming the variable (or file key) and the rule it breaks.
 */
export function loadConfig(opts: LoadConfigOptions = {}): OracleConfig {
  const env = opts.env ?? process.env;
  const file = opts.file ?? (env.ORACLE_CONFIG || undefined);
  const fromFile = file === undefined ? {} : readConfigFile(file);
  const problems: string[] = [];
  const known = new Set(FIELDS.map((f) => f.key as string));
  for (const key of Object.keys(fromFile)) {
    if (!known.has(key)) problems.push(`${file}: unknown key "${key}"`);
  }

  const config: Record<string, unknown> = { ...DEFAULTS, verifyThreads: availableParallelism() };
  for (const field of FIELDS) {
    const sources: [string, unknown][] = [];
    if (opts.overrides && opts.overrides[field.key] !== undefined) {
      sources.push([`--${field.key}`, opts.overrides[field.key]]);
    } else if (env[field.env] !== undefined && env[field.env] !== "") {
      sources.push([field.env, env[field.env]]);
    } else if (fromFile[field.key] !== undefined) {
      sources.push([`${file}: ${field.key}`, fromFile[field.key]]);
    }
    for (const [label, raw] of sources) {
      const parsed = parseField(field, raw);
      if ("error" in parsed) problems.push(`${label}: ${parsed.error}`);
      else config[field.key] = parsed.value;
    }
  }
  const c = config as unknown as OracleConfig;
  if (c.deploymentsFile !== undefined && c.network !== undefined) {
    problems.push("ORACLE_DEPLOYMENTS_FILE and ORACLE_NETWORK: set one, not both");
  }
  if (c.epochLength !== undefined && c.graceSeconds >= c.epochLength) {
    problems.push(
      `ORACLE_GRACE_SECONDS: must be shorter than the epoch length (${c.graceSeconds} >= ${c.epochLength})`,
    );
  }
  if (problems.length > 0) throw new ConfigError(problems);
  if (c.network !== undefined && c.deploymentsFile === undefined) {
    c.deploymentsFile = path.join("deployments", `${c.network}.json`);
  }
  return c;
}

/** A copy safe to log: URLs lose their credentials, paths and query strings (API keys live there). */
export function redactConfig(config: OracleConfig): Record<string, unknown> {
  const out: Record<string, unknown> = { ...config };
  for (const field of FIELDS) {
    const value = out[field.key];
    if (field.secret && Array.isArray(value)) out[field.key] = value.map(() => "***");
    else if (field.secret && typeof value === "string") {
      try {
        const u = new URL(value);
        out[field.key] = `${u.protocol}//${u.hostname}${u.port ? `:${u.port}` : ""}/***`;
      } catch {
        out[field.key] = "***";
      }
    }
  }
  return out;
}
