/**
 * Gas of the hot paths, measured on the real contracts in named situations (the gas reporter only shows
 * min/max/avg over whatever the other suites happen to do). Each figure must stay under its ceiling: a
 * change that makes one of them dearer fails here and has to raise the ceiling on purpose.
 */
import { expect } from "chai";
import type { ContractTransactionResponse } from "ethers";
import hre from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";

import { grantId } from "../../scripts/lib/deploySystem";
import { airdropFixture, MONTH, MSN, vaultFixture } from "../shared/tokenVestingFixture";

const measured: Record<string, bigint> = {};
/** `hardhat coverage` runs instrumented bytecode, whose gas says nothing about the real contracts. */
const COVERAGE =
  (hre as unknown as { __SOLIDITY_COVERAGE_RUNNING?: boolean }).__SOLIDITY_COVERAGE_RUNNING === true;

async function gasOf(
  label: string,
  tx: Promise<ContractTransactionResponse>,
  ceiling: number,
): Promise<bigint> {
  const receipt = await (await tx).wait();
  measured[label] = receipt!.gasUsed;
  if (!COVERAGE) expect(receipt!.gasUsed, label).to.be.lessThanOrEqual(BigInt(ceiling));
  return receipt!.gasUsed;
}

describe("gas (token, vesting, airdrop)", () => {
  after(() => {
    if (COVERAGE) return;
    const width = Math.max(...Object.keys(measured).map((k) => k.length));
    console.log("\n    gas used");
    for (const [k, v] of Object.entries(measured))
      console.log(`      ${k.padEnd(width)}  ${v.toString().padStart(7)}`);
  });

  it("createGrant: first grant of a beneficiary (deploys its escrow) and a further grant", async () => {
    const f = await loadFixture(vaultFixture);
    const start = f.now + 100;
    await gasOf(
      "createGrant (new beneficiary, escrow deployed)",
      f.vault
        .connect(f.governance)
        .createGrant(f.alice.address, MSN(1_000), start, 12 * MONTH, 36 * MONTH, true),
      165_000,
    );
    await gasOf(
      "createGrant (existing beneficiary)",
      f.vault
        .connect(f.governance)
        .createGrant(f.alice.address, MSN(2_000), start, 12 * MONTH, 36 * MONTH, true),
      105_000,
    );
  });

  it("release: first payout to an empty wallet, a later payout, and a payout from a delegated escrow", async () => {
    const f = await loadFixture(vaultFixture);
    const g = { beneficiary: f.alice.address, amount: MSN(1_000), cliff: 0, duration: 36 * MONTH };
    const start = f.now + 100;
    await f.vault
      .connect(f.governance)
      .createGrant(g.beneficiary, g.amount, start, g.cliff, g.duration, false);
    const id = grantId(g, start);
    await time.setNextBlockTimestamp(start + MONTH);
    await gasOf("release (first, beneficiary balance was 0)", f.vault.connect(f.bob).release(id), 80_000);
    await time.setNextBlockTimestamp(start + 2 * MONTH);
    await gasOf("release (later)", f.vault.connect(f.bob).release(id), 62_000);
    await f.vault.connect(f.alice).delegate(f.carol.address);
    await time.setNextBlockTimestamp(start + 3 * MONTH);
    await gasOf("release (escrow votes delegated)", f.vault.connect(f.bob).release(id), 97_000);
  });

  it("revoke and delegate", async () => {
    const f = await loadFixture(vaultFixture);
    const g = { beneficiary: f.alice.address, amount: MSN(1_000), cliff: 0, duration: 36 * MONTH };
    await f.vault
      .connect(f.governance)
      .createGrant(g.beneficiary, g.amount, f.now, g.cliff, g.duration, true);
    await gasOf("delegate (escrow votes)", f.vault.connect(f.alice).delegate(f.alice.address), 112_000);
    await time.increase(MONTH);
    await gasOf(
      "revoke (mid-way, delegated escrow, empty treasury)",
      f.vault.connect(f.governance).revoke(grantId(g, f.now)),
      120_000,
    );
  });

  it("claim: one testnet participant", async () => {
    const { airdrop, recipients, proofOf } = await loadFixture(airdropFixture);
    const { account, amount } = recipients[0];
    await gasOf(
      "claim (airdrop, 3-node proof)",
      airdrop.claim(account, amount, proofOf(account, amount)),
      90_000,
    );
  });
});
