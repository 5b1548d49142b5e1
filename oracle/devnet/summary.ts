/** The run's summary as text: epochs, rejections, operators, claims and the checks. Pure. */
import { REJECTION_REASONS } from "../src/ingest/reasons.js";
import type { CheckResult } from "./checks.js";
import { formatBoost, formatBytes, formatInt, formatMsn, shortHex, table } from "./format.js";
import type { DevnetRecord } from "./record.js";

function epochTable(r: DevnetRecord): string {
  const rows = r.epochs.map((e) => {
    const accepted = e.answers.accepted ?? 0;
    const bytes = e.bundle.nodes.reduce((s, n) => s + n.bytes, 0n);
    const capped = e.bundle.nodes.reduce((s, n) => s + n.cappedBytes, 0n);
    return [
      String(e.epoch),
      formatMsn(e.emission),
      formatInt(e.receiptsPosted),
      formatInt(accepted),
      formatInt(e.receiptsPosted - accepted),
      formatInt(e.bundle.receipts.count),
      formatBytes(bytes),
      bytes === capped ? "-" : formatBytes(capped),
      shortHex(e.bundle.root, 10, 8),
      formatMsn(e.bundle.total),
      e.bundle.carryOut.toString(),
    ];
  });
  return table(
    [
      "epoch",
      "emission MSN",
      "receipts",
      "accepted",
      "rejected",
      "counted",
      "bytes",
      "capped to",
      "root",
      "total MSN",
      "carry wei",
    ],
    rows,
    [0, 8],
  );
}

function rejectionTable(r: DevnetRecord): string {
  const reasons = REJECTION_REASONS.filter((k) => r.epochs.some((e) => (e.answers[k] ?? 0) > 0));
  const rows = reasons.map((k) => [
    k,
    ...r.epochs.map((e) => formatInt(e.answers[k] ?? 0)),
    formatInt(r.epochs.reduce((s, e) => s + (e.answers[k] ?? 0), 0)),
  ]);
  return table(["rejected as", ...r.epochs.map((e) => `epoch ${e.epoch}`), "all"], rows);
}

function operatorTable(r: DevnetRecord): string {
  const claims = new Map(r.final.claims.map((c) => [c.operator, c]));
  const rows = r.operators.map((op) => {
    const perEpoch = r.epochs.map((e) => e.bundle.operators.find((row) => row.operator === op.address));
    const stakes = r.epochs.map((e) => e.chainStakes.get(op.address) ?? 0n);
    const stakeText =
      stakes[0] === stakes.at(-1)
        ? formatMsn(stakes[0]!, 0)
        : `${formatMsn(stakes[0]!, 0)}→${formatMsn(stakes.at(-1)!, 0)}`;
    const bytes = perEpoch.reduce((s, row) => s + (row?.cappedBytes ?? 0n), 0n);
    const claim = claims.get(op.address);
    return [
      String(op.index),
      shortHex(op.address),
      op.profile,
      String(op.nodes),
      stakeText,
      perEpoch.map((row) => (row && row.nodes > 0 ? formatBoost(row.boostBps) : "-")).join(" "),
      formatBytes(bytes),
      ...perEpoch.map((row) => formatMsn(row?.reward ?? 0n, 2)),
      formatMsn(perEpoch.at(-1)?.cumulative ?? 0n, 2),
      claim ? formatMsn(claim.claimedOnChain, 2) : "-",
      claim ? (claim.mode === "claimAndStake" ? "claim+stake" : claim.mode) : "-",
    ];
  });
  return table(
    [
      "#",
      "operator",
      "profile",
      "nodes",
      "stake MSN",
      "boost/epoch",
      "bytes",
      ...r.epochs.map((e) => `reward e${e.epoch}`),
      "cumulative",
      "claimed",
      "via",
    ],
    rows,
    [0, 1, 2, 5, r.epochs.length + 9],
  );
}

export function checksText(checks: readonly CheckResult[]): string {
  return checks.map((c) => `${c.ok ? "  ok  " : "  FAIL"} ${c.name}: ${c.detail}`).join("\n");
}

export function summaryText(r: DevnetRecord, checks: readonly CheckResult[]): string {
  const failed = checks.filter((c) => !c.ok);
  const { info } = r;
  return [
    `MSN devnet summary: seed "${info.seed}", ${info.nodes} nodes of ${info.operators} operators, ${info.epochs} epochs` +
      (info.fault ? `, fault injected: ${info.fault}` : ""),
    "",
    "Epochs",
    epochTable(r),
    "",
    rejectionTable(r),
    "",
    "Operators (rewards and amounts in MSN; boost per epoch, '-' without traffic)",
    operatorTable(r),
    "",
    "Checks",
    checksText(checks),
    "",
    failed.length === 0
      ? `all ${checks.length} checks ok`
      : `${failed.length} of ${checks.length} checks FAILED: ${failed.map((c) => c.name).join("; ")}`,
  ].join("\n");
}
