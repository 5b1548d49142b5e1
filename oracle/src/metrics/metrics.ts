import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import { RESULTS, type ReceiptResult } from "../ingest/reasons.js";

/** Prometheus metrics of one oracle process (served at GET /metrics). */
export interface Metrics {
  registry: Registry;
  /** Receipts answered, by result: `accepted` or a rejection reason. */
  receipts: Counter<"result">;
  /** Receipts per POST /v1/receipts. */
  batchSize: Histogram;
  /** HTTP request latency by method, route and status. */
  httpDuration: Histogram<"method" | "route" | "status">;
  /** Nodes in the in-memory registry. */
  registryNodes: Gauge;
  countResults(results: readonly ReceiptResult[]): void;
}

export function createMetrics(opts: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (opts.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: "oracle_" });
  const receipts = new Counter({
    name: "oracle_receipts_total",
    help: "Receipts answered by POST /v1/receipts, by result (accepted or the rejection reason)",
    labelNames: ["result"] as const,
    registers: [registry],
  });
  for (const r of RESULTS) receipts.inc({ result: r }, 0);
  const batchSize = new Histogram({
    name: "oracle_receipt_batch_size",
    help: "Receipts per POST /v1/receipts request",
    buckets: [1, 10, 50, 100, 250, 500, 1000, 2500, 5000, 10000],
    registers: [registry],
  });
  const httpDuration = new Histogram({
    name: "oracle_http_request_duration_seconds",
    help: "HTTP request latency",
    labelNames: ["method", "route", "status"] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const registryNodes = new Gauge({
    name: "oracle_registry_nodes",
    help: "Registered nodes known to this process",
    registers: [registry],
  });
  return {
    registry,
    receipts,
    batchSize,
    httpDuration,
    registryNodes,
    countResults(results) {
      const counts = new Map<ReceiptResult, number>();
      for (const r of results) counts.set(r, (counts.get(r) ?? 0) + 1);
      for (const [result, n] of counts) receipts.inc({ result }, n);
    },
  };
}
