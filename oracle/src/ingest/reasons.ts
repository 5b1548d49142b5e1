/**
 * Per-receipt answers of POST /v1/receipts. Checks run in this order; a receipt gets the first reason
 * that applies (docs/oracle-ingest.md explains each).
 */
export const REJECTION_REASONS = [
  "epoch_in_future",
  "epoch_closed",
  "over_capacity",
  "unknown_node",
  "unknown_client",
  "client_disabled",
  "self_dealing",
  "bad_signature",
  "duplicate",
  "node_mismatch",
  "superseded",
  "quota_exceeded",
] as const;

export type RejectionReason = (typeof REJECTION_REASONS)[number];
export type ReceiptResult = "accepted" | RejectionReason;
export const RESULTS: readonly ReceiptResult[] = ["accepted", ...REJECTION_REASONS];
