/**
 * The devnet's checks: each compares values that come from different places (the simulation's own
 * bookkeeping, the oracle's answers and bundles, the oracle's read API, the chain) and must agree to the
 * wei. Pure: a function of the run's record; `oracle/test/devnet/checks.test.ts` shows each one failing.
 */
import {
  compareWithChain,
  verifyBundle,
  verifyBundleChain,
  verifyFirstBundle,
  type Discrepancy,
} from "../src/epoch/index.js";
import { REJECTION_REASONS, RESULTS } from "../src/ingest/reasons.js";
import type { DevnetRecord, EpochRecord, ResultCounts } from "./record.js";
import { formatInt, formatMsn } from "./format.js";

export interface CheckResult {
  name: string;
  ok: boolean;
  /** What was compared (ok) or the first differences (FAIL). */
  detail: string;
}

const MAX_LISTED = 3;

function result(name: string, problems: readonly string[], okDetail: string): CheckResult {
  if (problems.length === 0) return { name, ok: true, detail: okDetail };
  const more = problems.length > MAX_LISTED ? `; and ${problems.length - MAX_LISTED} more` : "";
  return { name, ok: false, detail: problems.slice(0, MAX_LISTED).join("; ") + more };
}

function describe(list: readonly Discrepancy[]): string[] {
  return list.map((d) => d.message);
}

function sumCounts(counts: readonly ResultCounts[]): ResultCounts {
  const out: ResultCounts = {};
  for (const c of counts) {
    for (const [k, v] of Object.entries(c) as [keyof ResultCounts, number][]) out[k] = (out[k] ?? 0) + v;
  }
  return out;
}

/* PER EPOCH */

function answersAsExpected(e: EpochRecord): CheckResult {
  const problems = e.mismatches.map(
    (m) =>
      `${m.intent} receipt node ${m.node} client ${m.client} (${m.bytesServed} bytes): ${m.got}, expected ${m.expected}`,
  );
  if (e.mismatchCount > problems.length) problems.push(`${e.mismatchCount - problems.length} more differ`);
  return result(
    `epoch ${e.epoch}: the oracle answered every receipt as the simulation expects`,
    problems,
    `${formatInt(e.receiptsPosted)} receipts, ${formatInt(e.answers.accepted ?? 0)} accepted`,
  );
}

async function bundleMatchesReceipts(e: EpochRecord): Promise<CheckResult> {
  const report = await verifyBundle(e.bundle, { receipts: e.expected });
  const problems = describe(report.discrepancies);
  if (report.omitted > 0) problems.push(`${report.omitted} more discrepancies`);
  return result(
    `epoch ${e.epoch}: the bundle recomputes and matches the accepted receipts`,
    problems,
    `${formatInt(e.expected.count)} counted receipts, ${e.bundle.nodes.length} nodes, root ${e.bundle.root.slice(0, 10)}…`,
  );
}

function bundleContinues(e: EpochRecord, previous: EpochRecord | undefined): CheckResult {
  const list =
    previous === undefined
      ? verifyFirstBundle(e.bundle)
      : verifyBundleChain(previous.bundle, previous.bundleHash, e.bundle);
  return result(
    `epoch ${e.epoch}: the bundle continues ${previous === undefined ? "from genesis" : `epoch ${previous.epoch}`}`,
    describe(list),
    previous === undefined ? "nothing carried in" : `carry in ${e.bundle.carryIn} wei`,
  );
}

function emissionFromChain(e: EpochRecord): CheckResult {
  const problems =
    e.bundle.emission === e.emission
      ? []
      : [`emission ${e.bundle.emission} in the bundle, EmissionMinter.epochEmission = ${e.emission}`];
  return result(
    `epoch ${e.epoch}: emission = EmissionMinter.epochEmission`,
    problems,
    `${formatMsn(e.emission)} MSN`,
  );
}

function stakesFromChain(e: EpochRecord): CheckResult {
  const problems: string[] = [];
  let rows = 0;
  for (const row of e.bundle.operators) {
    if (row.nodes === 0) continue;
    rows++;
    const stake = e.chainStakes.get(row.operator);
    const boost = e.chainBoosts.get(row.operator);
    if (stake !== row.stake)
      problems.push(`${row.operator}: stake ${row.stake} in the bundle, ${stake} on chain`);
    if (boost !== row.boostBps) {
      problems.push(`${row.operator}: boost ${row.boostBps} bps in the bundle, ${boost} on chain`);
    }
  }
  return result(
    `epoch ${e.epoch}: stakes and boosts = MinerStaking at the snapshot`,
    problems,
    `${rows} operators with traffic`,
  );
}

function rootOnChain(e: EpochRecord): CheckResult {
  const problems = describe(
    compareWithChain(e.bundle, e.bundleHash, {
      root: e.onChain.root,
      total: e.onChain.total,
      dataHash: e.onChain.dataHash,
      emittedThroughEpoch: e.emittedThrough,
    }),
  );
  if (e.onChain.status !== "Accepted") problems.push(`root status ${e.onChain.status}, expected Accepted`);
  return result(
    `epoch ${e.epoch}: root, total and data hash on chain = bundle; total + carry = emitted`,
    problems,
    `total ${formatMsn(e.bundle.total)} MSN, carry ${e.bundle.carryOut} wei`,
  );
}

/**
 * Right after epoch e's job (and the acceptance of e − 1, whose challenge window passed a day earlier),
 * the read API must give every account its amount in the accepted root of e − 1 and, as pending, its
 * amount in e's root: both equal to the bundles.
 */
function readApiMatches(e: EpochRecord, all: readonly EpochRecord[]): CheckResult {
  const problems: string[] = [];
  const previous = all.find((x) => x.epoch === e.epoch - 1);
  const cumulativeIn = (r: EpochRecord | undefined, op: string) =>
    r?.bundle.operators.find((row) => row.operator === op)?.cumulative ?? 0n;
  let answered = 0;
  for (const [operator, entry] of e.readApi) {
    const wantAccepted = cumulativeIn(previous, operator);
    const wantPending = cumulativeIn(e, operator);
    if (entry === undefined) {
      if (wantAccepted > 0n || wantPending > 0n) {
        problems.push(
          `${operator}: 404 from the read API, bundles give ${wantAccepted} accepted, ${wantPending} pending`,
        );
      }
      continue;
    }
    answered++;
    const acceptedEpoch = wantAccepted > 0n ? e.epoch - 1 : null;
    if (entry.epoch !== acceptedEpoch || entry.cumulativeAmount !== wantAccepted) {
      problems.push(
        `${operator}: read API ${entry.cumulativeAmount} in epoch ${entry.epoch}, ` +
          `bundle ${wantAccepted} in epoch ${acceptedEpoch}`,
      );
    }
    const pending = entry.pending;
    if (wantPending > 0n && (pending?.epoch !== e.epoch || pending.cumulativeAmount !== wantPending)) {
      problems.push(
        `${operator}: read API pending ${pending?.cumulativeAmount} in epoch ${pending?.epoch}, ` +
          `bundle ${wantPending} in epoch ${e.epoch}`,
      );
    }
  }
  return result(
    e.epoch === 0
      ? "epoch 0: read API = bundle (epoch 0 pending, nothing accepted yet)"
      : `epoch ${e.epoch}: read API = bundles (epoch ${e.epoch - 1} accepted, epoch ${e.epoch} pending)`,
    problems,
    `${answered} accounts answered`,
  );
}

/* AT THE END */

function claimedEqualsTotal(r: DevnetRecord): CheckResult {
  const last = r.epochs.at(-1)!;
  const claimed = r.final.claims.reduce((s, c) => s + c.claimedOnChain, 0n);
  const problems =
    claimed === last.bundle.total
      ? []
      : [
          `${formatMsn(claimed)} MSN claimed, ${formatMsn(last.bundle.total)} MSN in the root of epoch ${last.epoch} ` +
            `(difference ${last.bundle.total - claimed} wei)`,
        ];
  return result("Σ claimed = the last root's total", problems, `${formatMsn(claimed)} MSN (${claimed} wei)`);
}

function totalPlusCarryEqualsEmission(r: DevnetRecord): CheckResult {
  const last = r.epochs.at(-1)!;
  const emission = r.epochs.reduce((s, e) => s + e.emission, 0n);
  const accounted = last.bundle.total + last.bundle.carryOut;
  const problems: string[] = [];
  if (accounted !== emission) {
    problems.push(`total + carry = ${accounted} wei, Σ epochEmission = ${emission} wei`);
  }
  if (emission !== last.emittedThrough) {
    problems.push(
      `Σ epochEmission = ${emission} wei, EmissionMinter.emitted(epochEnd) = ${last.emittedThrough} wei`,
    );
  }
  return result(
    "last total + carry = Σ emission of the epochs",
    problems,
    `${formatMsn(emission)} MSN = ${formatMsn(last.bundle.total)} + ${last.bundle.carryOut} wei`,
  );
}

function eachOperatorClaimedItsLeaf(r: DevnetRecord): CheckResult {
  const last = r.epochs.at(-1)!;
  const problems: string[] = [];
  const claimedBy = new Map(r.final.claims.map((c) => [c.operator, c]));
  for (const row of last.bundle.operators) {
    if (row.cumulative > 0n && !claimedBy.has(row.operator)) {
      problems.push(`${row.operator}: leaf of ${row.cumulative} wei, never claimed`);
    }
  }
  for (const c of r.final.claims) {
    if (c.claimedOnChain !== c.readApiCumulative || c.readApiCumulative !== c.bundleCumulative) {
      problems.push(
        `${c.operator}: claimed ${c.claimedOnChain} on chain, read API ${c.readApiCumulative}, bundle leaf ${c.bundleCumulative}`,
      );
    }
  }
  return result(
    "each operator: claimed on chain = read API cumulative = bundle leaf",
    problems,
    `${r.final.claims.length} operators`,
  );
}

function distributorBalance(r: DevnetRecord): CheckResult {
  const claimed = r.final.claims.reduce((s, c) => s + c.claimedOnChain, 0n);
  const want = r.final.funded - claimed;
  const problems =
    r.final.distributorBalance === want
      ? []
      : [`distributor holds ${r.final.distributorBalance} wei, funded − claimed = ${want} wei`];
  return result(
    "distributor balance = funded − Σ claimed",
    problems,
    `${formatMsn(r.final.distributorBalance)} MSN (${r.final.distributorBalance} wei) left of ${formatMsn(r.final.funded)} MSN funded`,
  );
}

function payoutsLanded(r: DevnetRecord): CheckResult {
  const problems: string[] = [];
  let staked = 0;
  for (const c of r.final.claims) {
    if (c.paid !== c.claimedOnChain)
      problems.push(`${c.operator}: Claimed events ${c.paid}, claimed() ${c.claimedOnChain}`);
    const stakeDelta = c.stakeAfter - c.stakeBefore;
    const balanceDelta = c.balanceAfter - c.balanceBefore;
    if (c.mode === "claimAndStake") {
      staked++;
      if (stakeDelta !== c.paid || balanceDelta !== 0n) {
        problems.push(
          `${c.operator} (claim and stake): stake +${stakeDelta}, balance +${balanceDelta}, paid ${c.paid}`,
        );
      }
    } else if (balanceDelta !== c.paid || stakeDelta !== 0n) {
      problems.push(
        `${c.operator} (${c.mode}): balance +${balanceDelta}, stake +${stakeDelta}, paid ${c.paid}`,
      );
    }
  }
  return result(
    "payouts landed: claim-and-stake raised stakeAt, claims (own or relayed) raised balances",
    problems,
    `${staked} staked, ${r.final.claims.length - staked} paid out`,
  );
}

function rootsAccepted(r: DevnetRecord): CheckResult {
  const last = r.epochs.at(-1)!;
  const problems: string[] = [];
  if (r.final.nextEpochToAccept !== last.epoch + 1) {
    problems.push(`nextEpochToAccept ${r.final.nextEpochToAccept}, expected ${last.epoch + 1}`);
  }
  if (r.final.currentRoot.epoch !== last.epoch || r.final.currentRoot.root !== last.bundle.root) {
    problems.push(
      `current root is epoch ${r.final.currentRoot.epoch} ${r.final.currentRoot.root}, expected epoch ${last.epoch} ${last.bundle.root}`,
    );
  }
  return result(
    "every root accepted after its challenge window",
    problems,
    `current root: epoch ${last.epoch}`,
  );
}

function metricsMatchAnswers(r: DevnetRecord): CheckResult {
  const answers = sumCounts(r.epochs.map((e) => e.answers));
  const problems: string[] = [];
  for (const k of RESULTS) {
    if ((answers[k] ?? 0) !== (r.final.metrics[k] ?? 0)) {
      problems.push(`${k}: ${r.final.metrics[k] ?? 0} in /metrics, ${answers[k] ?? 0} answers received`);
    }
  }
  const total = Object.values(answers).reduce((s, v) => s + v, 0);
  return result(
    "oracle /metrics receipt counters = the answers received",
    problems,
    `${formatInt(total)} receipts`,
  );
}

function everyReasonShown(r: DevnetRecord): CheckResult {
  const answers = sumCounts(r.epochs.map((e) => e.answers));
  const missing = REJECTION_REASONS.filter((k) => (answers[k] ?? 0) === 0).map((k) => `no ${k} rejection`);
  return result(
    "the simulation showed every rejection reason",
    missing,
    `${REJECTION_REASONS.length} reasons`,
  );
}

/** Every check of a run, in order. */
export async function runChecks(r: DevnetRecord): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  for (let i = 0; i < r.epochs.length; i++) {
    const e = r.epochs[i]!;
    out.push(answersAsExpected(e));
    out.push(await bundleMatchesReceipts(e));
    out.push(bundleContinues(e, r.epochs[i - 1]));
    out.push(emissionFromChain(e));
    out.push(stakesFromChain(e));
    out.push(rootOnChain(e));
    out.push(readApiMatches(e, r.epochs));
  }
  out.push(everyReasonShown(r));
  out.push(metricsMatchAnswers(r));
  out.push(rootsAccepted(r));
  out.push(totalPlusCarryEqualsEmission(r));
  out.push(claimedEqualsTotal(r));
  out.push(eachOperatorClaimedItsLeaf(r));
  out.push(payoutsLanded(r));
  out.push(distributorBalance(r));
  return out;
}
