import { expect } from "chai";
import { runChecks, type CheckResult } from "../../devnet/checks.js";
import type { DevnetRecord } from "../../devnet/record.js";
import { checksText, summaryText } from "../../devnet/summary.js";
import { consistentRecord, OPS } from "./fixture.js";

function failed(checks: CheckResult[]): string[] {
  return checks.filter((c) => !c.ok).map((c) => c.name);
}

function detailOf(checks: CheckResult[], name: string): string {
  const c = checks.find((x) => x.name === name);
  if (!c) throw new Error(`no check named "${name}"`);
  return c.detail;
}

describe("devnet checks", () => {
  let record: DevnetRecord;
  beforeEach(async () => {
    record = await consistentRecord();
  });

  it("are all ok for a run whose amounts add up", async () => {
    const checks = await runChecks(record);
    expect(failed(checks)).to.deep.equal([]);
    expect(checks.length).to.equal(2 * 7 + 8);
  });

  it("catch a wrong claim: an operator claimed its previous epoch's amount", async () => {
    const b = record.final.claims.find((c) => c.operator === OPS.B)!;
    const stale = record.epochs[0]!.bundle.operators.find((r) => r.operator === OPS.B)!.cumulative;
    const shortBy = b.claimedOnChain - stale;
    expect(shortBy > 0n).to.equal(true);
    b.claimedOnChain = stale;
    b.paid = stale;
    b.balanceAfter -= shortBy;
    record.final.distributorBalance += shortBy;
    const checks = await runChecks(record);
    expect(failed(checks)).to.deep.equal([
      "Σ claimed = the last root's total",
      "each operator: claimed on chain = read API cumulative = bundle leaf",
    ]);
    expect(detailOf(checks, "Σ claimed = the last root's total")).to.contain(`difference ${shortBy} wei`);
    expect(
      detailOf(checks, "each operator: claimed on chain = read API cumulative = bundle leaf"),
    ).to.contain(OPS.B);
  });

  it("catch an operator that never claimed its leaf", async () => {
    const c = record.final.claims.pop()!;
    record.final.distributorBalance += c.claimedOnChain;
    const checks = await runChecks(record);
    expect(failed(checks)).to.deep.equal([
      "Σ claimed = the last root's total",
      "each operator: claimed on chain = read API cumulative = bundle leaf",
    ]);
    expect(
      detailOf(checks, "each operator: claimed on chain = read API cumulative = bundle leaf"),
    ).to.contain(`${c.operator}: leaf of ${c.bundleCumulative} wei, never claimed`);
  });

  it("catch a distributor balance that is not funded minus claimed", async () => {
    record.final.distributorBalance -= 1n;
    expect(failed(await runChecks(record))).to.deep.equal(["distributor balance = funded − Σ claimed"]);
  });

  it("catch a claim-and-stake whose payout did not reach the stake, and a payout that differs from claimed()", async () => {
    const a = record.final.claims.find((c) => c.mode === "claimAndStake")!;
    a.stakeAfter -= 1n;
    const b = record.final.claims.find((c) => c.mode === "claim")!;
    b.paid += 1n;
    const checks = await runChecks(record);
    expect(failed(checks)).to.deep.equal([
      "payouts landed: claim-and-stake raised stakeAt, claims (own or relayed) raised balances",
    ]);
    const detail = detailOf(checks, failed(checks)[0]!);
    expect(detail).to.contain(`${a.operator} (claim and stake)`);
    expect(detail).to.contain(`${b.operator}: Claimed events`);
  });

  it("catch an answer of the oracle that differs from the simulation's expectation", async () => {
    const e = record.epochs[1]!;
    e.mismatchCount = 3;
    e.mismatches = [
      {
        intent: "traffic",
        node: OPS.A,
        client: OPS.B,
        bytesServed: 5,
        expected: "accepted",
        got: "quota_exceeded",
      },
    ];
    const checks = await runChecks(record);
    expect(failed(checks)).to.deep.equal([
      "epoch 1: the oracle answered every receipt as the simulation expects",
    ]);
    expect(detailOf(checks, failed(checks)[0]!)).to.contain(
      "quota_exceeded, expected accepted; 2 more differ",
    );
  });

  it("catch a bundle whose node bytes differ from the accepted receipts", async () => {
    const e = record.epochs[0]!;
    const node = [...e.expected.bytesPerNode.keys()][0]!;
    e.expected.bytesPerNode.set(node, e.expected.bytesPerNode.get(node)! + 1n);
    const checks = await runChecks(record);
    expect(failed(checks)).to.deep.equal([
      "epoch 0: the bundle recomputes and matches the accepted receipts",
    ]);
    expect(detailOf(checks, failed(checks)[0]!)).to.contain(node);
  });

  it("catch an emission, a stake or a boost that differs from the chain", async () => {
    record.epochs[0]!.emission += 1n;
    record.epochs[1]!.chainStakes.set(OPS.B, 1n);
    record.epochs[1]!.chainBoosts.set(OPS.A, 19_999n);
    const names = failed(await runChecks(record));
    expect(names).to.include("epoch 0: emission = EmissionMinter.epochEmission");
    expect(names).to.include("epoch 1: stakes and boosts = MinerStaking at the snapshot");
    expect(names).to.include("last total + carry = Σ emission of the epochs");
  });

  it("catch a root on chain that differs from the bundle or was not accepted", async () => {
    record.epochs[0]!.onChain.status = "Pending";
    record.epochs[1]!.onChain.dataHash = `0x${"11".repeat(32)}`;
    record.final.nextEpochToAccept = 1;
    const names = failed(await runChecks(record));
    expect(names).to.deep.equal([
      "epoch 0: root, total and data hash on chain = bundle; total + carry = emitted",
      "epoch 1: root, total and data hash on chain = bundle; total + carry = emitted",
      "every root accepted after its challenge window",
    ]);
  });

  it("catch a read API amount, accepted or pending, that differs from the bundles", async () => {
    const entry = record.epochs[1]!.readApi.get(OPS.C)!;
    entry.pending = { epoch: 1, cumulativeAmount: 1n };
    record.epochs[0]!.readApi.set(OPS.A, undefined);
    const checks = await runChecks(record);
    expect(failed(checks)).to.deep.equal([
      "epoch 0: read API = bundle (epoch 0 pending, nothing accepted yet)",
      "epoch 1: read API = bundles (epoch 0 accepted, epoch 1 pending)",
    ]);
    expect(detailOf(checks, failed(checks)[0]!)).to.contain(`${OPS.A}: 404 from the read API`);
    expect(detailOf(checks, failed(checks)[1]!)).to.contain(`${OPS.C}: read API pending 1 in epoch 1`);
  });

  it("catch /metrics counters that differ from the answers, and a rejection reason never shown", async () => {
    record.final.metrics.accepted = 11;
    record.epochs[0]!.answers.node_mismatch = 0;
    record.final.metrics.node_mismatch = 0;
    const names = failed(await runChecks(record));
    expect(names).to.deep.equal([
      "the simulation showed every rejection reason",
      "oracle /metrics receipt counters = the answers received",
    ]);
  });

  it("catch a chain of bundles with a broken link", async () => {
    record.epochs[1]!.bundle.carryIn += 1n;
    const names = failed(await runChecks(record));
    expect(names).to.include("epoch 1: the bundle continues epoch 0");
  });

  it("print ok and FAIL lines and a final verdict in the summary", async () => {
    const good = summaryText(record, await runChecks(record));
    expect(good).to.match(/all 22 checks ok$/);
    expect(good).to.contain("rejected as");
    expect(good).to.contain("claim+stake");
    record.final.distributorBalance += 5n;
    const checks = await runChecks(record);
    expect(checksText(checks)).to.contain(
      "  FAIL distributor balance = funded − Σ claimed: distributor holds",
    );
    expect(summaryText(record, checks)).to.match(
      /1 of 22 checks FAILED: distributor balance = funded − Σ claimed$/,
    );
  });
});
