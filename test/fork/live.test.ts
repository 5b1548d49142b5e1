/**
 * Fork suite, part 2: the live system exercised on the fork, every amount exact. Fresh keys play a miner,
 * its node and the oracle set; governance, the slasher and an MSN holder are impersonated. Everything happens
 * on the in-process fork only and is rolled back (snapshot) when the file ends.
 *
 * Steps: fund and stake an operator, register its node, mint the due emission, add test oracle keys as
 * governance, propose a cumulative root built here for the next epoch, accept it after the challenge window,
 * claim (plain, then claim-and-stake), slash active and unbonding stake, unstake and withdraw.
 */
import { anyValue } from "@nomicfoundation/hardhat-chai-matchers/withArgs";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { takeSnapshot, time, type SnapshotRestorer } from "@nomicfoundation/hardhat-network-helpers";
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { expect } from "chai";
import { ethers } from "hardhat";
import {
  keccak256,
  MaxUint256,
  parseUnits,
  toUtf8Bytes,
  TypedDataEncoder,
  Wallet,
  type HDNodeWallet,
  type TypedDataDomain,
} from "ethers";

import { EPOCH_ROOT_TYPES, rewardsDomain, signEpochRoot } from "../../scripts/lib/rewards";
import { expectInvariants, type ForkContext, forkContext, impersonate, MSN } from "../shared/forkFixture";

/* AMOUNTS (wei digits on purpose: every check is exact) */

const FUND_A = 5_000n * MSN;
const STAKE_A = 3_000n * MSN;
const REWARD_A = parseUnits("1234.567890123456789", 18);
const REWARD_B = parseUnits("765.432109876543211", 18);
/** A third leaf that is never claimed (so the tree has real proofs and the total more than what is paid). */
const REWARD_C = 100n * MSN + 1n;
const SLASH_A = 1_000n * MSN;
const BPS = 10_000n;

const REGISTER_NODE_TYPES = {
  RegisterNode: [
    { name: "node", type: "address" },
    { name: "operator", type: "address" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
};

describe("fork: live system (mint, stake, register, propose, accept, claim, slash, unstake)", () => {
  let ctx: ForkContext;
  let snapshot: SnapshotRestorer;
  let holder: HardhatEthersSigner;
  let opA: HardhatEthersSigner;
  let opB: HardhatEthersSigner;
  let relayer: HardhatEthersSigner;
  const nodeKey = Wallet.createRandom();
  const accountC = Wallet.createRandom().address;
  let oracleKeys: HDNodeWallet[] = [];
  let tree: StandardMerkleTree<[string, bigint]>;
  /** The epoch this test proposes, and the end of the epoch minted last (stake snapshot instant + 1). */
  let epoch: bigint;
  let mintedEpochEnd: bigint;
  let stakedAt: bigint;
  let slashedA: bigint;
  let slashedB: bigint;

  const balance = (who: string) => ctx.token.balanceOf(who);
  const addressOf = async (c: { getAddress(): Promise<string> }) => c.getAddress();
  const latestTs = async () => BigInt(await time.latest());
  const txTime = async (tx: { wait(): Promise<{ blockNumber: number } | null> }) => {
    const receipt = await tx.wait();
    const block = await ethers.provider.getBlock(receipt!.blockNumber);
    return BigInt(block!.timestamp);
  };

  before(async () => {
    ctx = await forkContext();
    snapshot = await takeSnapshot();
    const fresh = async () => impersonate(Wallet.createRandom().address);
    [opA, opB, relayer] = [await fresh(), await fresh(), await fresh()];
    // An MSN holder to fund the operator: FORK_MSN_HOLDER, else the first recorded holder with enough MSN
    // (the public-sale recipient, the treasuries, governance, then the vesting escrows and the airdrop).
    const { record } = ctx.target;
    const candidates = [
      process.env.FORK_MSN_HOLDER,
      record.roles.publicSale,
      record.roles.ecosystemTreasury,
      record.roles.foundationTreasury,
      record.roles.governance,
      ...(record.grants ?? []).map((g) => g.escrow),
      record.contracts.TestnetAirdrop,
    ].filter((a): a is string => !!a);
    const needed = FUND_A + REWARD_A + REWARD_B + REWARD_C;
    for (const candidate of candidates) {
      if ((await balance(candidate)) >= needed) {
        holder = await impersonate(candidate);
        break;
      }
    }
    if (!holder) {
      throw new Error(`no MSN holder with ${needed / MSN} MSN among the recorded roles; set FORK_MSN_HOLDER`);
    }
  });

  after(async () => {
    await snapshot?.restore();
  });

  it("funds a fresh operator with MSN from a holder (impersonated)", async () => {
    const before = await balance(holder.address);
    await ctx.token.connect(holder).transfer(opA.address, FUND_A);
    expect(await balance(opA.address)).to.equal(FUND_A);
    expect(await balance(holder.address)).to.equal(before - FUND_A);
  });

  it("stakes for the operator: its active stake, the total and the staking balance grow by exactly the amount", async () => {
    const { staking, token } = ctx;
    const stakingAddress = await addressOf(staking);
    const [totalBefore, heldBefore] = [await staking.totalActiveStake(), await balance(stakingAddress)];
    await token.connect(opA).approve(stakingAddress, STAKE_A);
    const tx = await staking.connect(opA).stake(STAKE_A);
    stakedAt = await txTime(tx);
    await expect(tx).to.emit(staking, "Staked").withArgs(opA.address, opA.address, STAKE_A);
    await expect(tx).to.emit(staking, "ActiveStakeUpdated").withArgs(opA.address, STAKE_A, stakedAt);
    expect(await staking.activeStakeOf(opA.address)).to.equal(STAKE_A);
    expect(await staking.totalActiveStake()).to.equal(totalBefore + STAKE_A);
    expect(await balance(stakingAddress)).to.equal(heldBefore + STAKE_A);
    expect(await balance(opA.address)).to.equal(FUND_A - STAKE_A);
    expect(await staking.stakeAt(opA.address, stakedAt - 1n)).to.equal(0n);
    expect(await staking.stakeAt(opA.address, stakedAt)).to.equal(STAKE_A);
    await expectInvariants(ctx);
  });

  it("registers a node to the operator with a fresh node key's EIP-712 signature", async () => {
    const { staking } = ctx;
    const nonce = await staking.nodeNonce(nodeKey.address);
    const deadline = (await latestTs()) + 3_600n;
    const domain: TypedDataDomain = {
      name: "MSN Bandwidth",
      version: "1",
      chainId: ctx.forkChainId,
      verifyingContract: await addressOf(staking),
    };
    const message = { node: nodeKey.address, operator: opA.address, nonce, deadline };
    expect(await staking.registerNodeDigest(nodeKey.address, opA.address, nonce, deadline)).to.equal(
      TypedDataEncoder.hash(domain, REGISTER_NODE_TYPES, message),
    );
    const signature = await nodeKey.signTypedData(domain, REGISTER_NODE_TYPES, message);
    await expect(staking.connect(opA).registerNode(nodeKey.address, deadline, signature))
      .to.emit(staking, "NodeRegistered")
      .withArgs(nodeKey.address, opA.address);
    expect(await staking.operatorOf(nodeKey.address)).to.equal(opA.address);
    expect(await staking.nodeCount(opA.address)).to.equal(1n);
    expect(await staking.nodeNonce(nodeKey.address)).to.equal(nonce + 1n);
  });

  it("mints the due emission once the epoch ends: exactly the emitted() difference, to the distributor", async () => {
    const { minter, token, distributor } = ctx;
    const genesis = await minter.GENESIS_TIME();
    const length = await minter.EPOCH_LENGTH();
    epoch = await distributor.nextEpochToPropose();
    // Move to the end of the later of the epoch to propose and the current epoch, so both have ended.
    const now = await latestTs();
    const current = now >= genesis ? (now - genesis) / length : 0n;
    mintedEpochEnd = await minter.epochStart((epoch > current ? epoch : current) + 1n);
    await time.increaseTo(mintedEpochEnd);

    const distributorAddress = await addressOf(distributor);
    const [mintedBefore, throughBefore] = [await minter.totalMinted(), await minter.mintedThroughEpoch()];
    const [supplyBefore, heldBefore] = [await token.totalSupply(), await balance(distributorAddress)];
    const tx = await minter.connect(relayer).mint();
    const ts = await txTime(tx);
    const ended = (ts - genesis) / length;
    const due = (await minter.emitted(genesis + ended * length)) - mintedBefore;
    await expect(tx)
      .to.emit(minter, "EmissionMinted")
      .withArgs(throughBefore, ended, distributorAddress, due);
    expect(await minter.mintedThroughEpoch()).to.equal(ended);
    expect(await minter.totalMinted()).to.equal(mintedBefore + due);
    expect(await token.totalSupply()).to.equal(supplyBefore + due);
    expect(await balance(distributorAddress)).to.equal(heldBefore + due);
    if (ended - throughBefore <= 400n) {
      let sum = 0n;
      for (let e = throughBefore; e < ended; e++) sum += await minter.epochEmission(e);
      expect(sum, "sum of epochEmission over the minted epochs").to.equal(due);
    }
    const [upkeepNeeded] = await minter.checkUpkeep.staticCall("0x");
    expect(upkeepNeeded, "checkUpkeep after the mint").to.equal(false);
    await expectInvariants(ctx);
  });

  it("snapshots the operator's stake and boost at the last second of the minted epoch", async () => {
    const { staking } = ctx;
    const at = mintedEpochEnd - 1n;
    expect(await staking.stakeAt(opA.address, at)).to.equal(STAKE_A);
    const [maxBoostBps, full] = await staking.boostParamsAt(at);
    const covered = STAKE_A < full ? STAKE_A : full;
    expect(await staking.boostBps(opA.address, 1, at)).to.equal(BPS + ((maxBoostBps - BPS) * covered) / full);
    expect(await staking.boostBps(opA.address, 0, at)).to.equal(BPS);
  });

  it("adds test oracle keys to the oracle set as governance (impersonated), as many as the threshold", async () => {
    const { distributor } = ctx;
    const governance = await impersonate(ctx.target.record.roles.rewardsAdmin);
    const threshold = await distributor.threshold();
    const room = (await distributor.MAX_ORACLES()) - (await distributor.oracleCount());
    const count = threshold < room ? threshold : room;
    expect(count, "room in the oracle set for a test key").to.be.greaterThan(0n);
    oracleKeys = Array.from({ length: Number(count) }, () => Wallet.createRandom());
    for (const key of oracleKeys) {
      await expect(distributor.connect(governance).addOracle(key.address))
        .to.emit(distributor, "OracleAdded")
        .withArgs(key.address);
      expect(await distributor.isOracle(key.address)).to.equal(true);
    }
    if (count < threshold) await distributor.connect(governance).setThreshold(count);
    expect(await distributor.threshold()).to.equal(count);
  });

  it("proposes a cumulative root built here for the next epoch, signed by the test oracle keys", async () => {
    const { distributor, token } = ctx;
    tree = StandardMerkleTree.of(
      [
        [opA.address, REWARD_A],
        [opB.address, REWARD_B],
        [accountC, REWARD_C],
      ],
      ["address", "uint256"],
    );
    const previousTotal = epoch > 0n ? (await distributor.epochRoot(epoch - 1n)).total : 0n;
    // Accounts of earlier roots keep their cumulative amounts (their leaves are not known here, and only the
    // fresh accounts above claim), so the cumulative total grows by exactly the three new leaves.
    const total = previousTotal + REWARD_A + REWARD_B + REWARD_C;
    const funded = await distributor.funded();
    if (total > funded) {
      // Top up through `fund` (user payments' path) when the emission minted so far does not cover it.
      const distributorAddress = await addressOf(distributor);
      await token.connect(holder).approve(distributorAddress, total - funded);
      await expect(distributor.connect(holder).fund(total - funded))
        .to.emit(distributor, "Funded")
        .withArgs(holder.address, total - funded);
      expect(await distributor.funded()).to.equal(total);
    }
    const dataHash = keccak256(toUtf8Bytes(`msn fork suite bundle, epoch ${epoch}, root ${tree.root}`));
    const domain = rewardsDomain(ctx.forkChainId, await addressOf(distributor));
    const message = { epoch, root: tree.root, total, dataHash };
    expect(await distributor.hashEpochRoot(epoch, tree.root, total, dataHash)).to.equal(
      TypedDataEncoder.hash(domain, EPOCH_ROOT_TYPES, message),
    );
    // A key outside the oracle set cannot sign a root.
    const outsider = Wallet.createRandom();
    const forged = await signEpochRoot([outsider, ...oracleKeys.slice(1)], domain, message);
    await expect(distributor.connect(relayer).proposeRoot(epoch, tree.root, total, dataHash, forged))
      .to.be.revertedWithCustomError(distributor, "RewardsSignerNotOracle")
      .withArgs(outsider.address);

    const signatures = await signEpochRoot(oracleKeys, domain, message);
    const tx = await distributor.connect(relayer).proposeRoot(epoch, tree.root, total, dataHash, signatures);
    const proposedAt = await txTime(tx);
    await expect(tx).to.emit(distributor, "RootProposed").withArgs(epoch, tree.root, total, dataHash);
    const info = await distributor.epochRoot(epoch);
    expect([info.root, info.total, info.proposedAt, info.claimableAt, info.status]).to.deep.equal([
      tree.root,
      total,
      proposedAt,
      proposedAt + (await distributor.challengeWindow()),
      1n, // Pending
    ]);
    expect(await distributor.nextEpochToPropose()).to.equal(epoch + 1n);
  });

  it("accepts the root only once its challenge window has passed", async () => {
    const { distributor } = ctx;
    const { claimableAt } = await distributor.epochRoot(epoch);
    if ((await distributor.nextEpochToAccept()) === epoch) {
      await expect(distributor.connect(relayer).acceptRoot())
        .to.be.revertedWithCustomError(distributor, "RewardsChallengeWindowActive")
        .withArgs(epoch, claimableAt);
    }
    await time.setNextBlockTimestamp(claimableAt);
    // Earlier pending roots of the live chain (if any) are accepted first, in order.
    while ((await distributor.nextEpochToAccept()) <= epoch) {
      const next = await distributor.nextEpochToAccept();
      const tx = distributor.connect(relayer).acceptRoot();
      await expect(tx)
        .to.emit(distributor, "RootAccepted")
        .withArgs(next, (await distributor.epochRoot(next)).root);
    }
    expect((await distributor.epochRoot(epoch)).status).to.equal(2n); // Accepted
    if (await distributor.paused()) {
      const guardian = await impersonate(ctx.target.record.roles.guardian);
      console.log("      (claims were paused on the deployed chain: unpaused on the fork as the guardian)");
      await distributor.connect(guardian).unpause();
    }
    expect([...(await distributor.currentRoot())]).to.deep.equal([epoch, tree.root]);
  });

  it("pays a plain claim, sent by a relayer, to the account and only once", async () => {
    const { distributor } = ctx;
    const distributorAddress = await addressOf(distributor);
    const heldBefore = await balance(distributorAddress);
    const proof = tree.getProof([opA.address, REWARD_A]);
    await expect(distributor.connect(relayer).claim(opA.address, REWARD_A, proof))
      .to.emit(distributor, "Claimed")
      .withArgs(opA.address, REWARD_A);
    expect(await balance(opA.address)).to.equal(FUND_A - STAKE_A + REWARD_A);
    expect(await balance(relayer.address)).to.equal(0n);
    expect(await balance(distributorAddress)).to.equal(heldBefore - REWARD_A);
    expect(await distributor.claimed(opA.address)).to.equal(REWARD_A);
    await expect(distributor.connect(relayer).claim(opA.address, REWARD_A, proof))
      .to.be.revertedWithCustomError(distributor, "RewardsNothingToClaim")
      .withArgs(opA.address, REWARD_A, REWARD_A);
    await expectInvariants(ctx);
  });

  it("claims and stakes for the account itself: the payout goes into its stake and stakeAt moves", async () => {
    const { distributor, staking } = ctx;
    const [distributorAddress, stakingAddress] = [await addressOf(distributor), await addressOf(staking)];
    const [heldBefore, stakedBefore, totalBefore] = [
      await balance(distributorAddress),
      await balance(stakingAddress),
      await staking.totalActiveStake(),
    ];
    const tx = await distributor.connect(opB).claimAndStake(REWARD_B, tree.getProof([opB.address, REWARD_B]));
    const ts = await txTime(tx);
    await expect(tx).to.emit(distributor, "Claimed").withArgs(opB.address, REWARD_B);
    await expect(tx).to.emit(staking, "Staked").withArgs(opB.address, distributorAddress, REWARD_B);
    await expect(tx).to.emit(staking, "ActiveStakeUpdated").withArgs(opB.address, REWARD_B, ts);
    expect(await distributor.claimed(opB.address)).to.equal(REWARD_B);
    expect(await balance(opB.address)).to.equal(0n);
    expect(await staking.activeStakeOf(opB.address)).to.equal(REWARD_B);
    expect(await staking.stakeAt(opB.address, ts - 1n)).to.equal(0n);
    expect(await staking.stakeAt(opB.address, ts)).to.equal(REWARD_B);
    expect(await staking.totalActiveStake()).to.equal(totalBefore + REWARD_B);
    expect(await balance(distributorAddress)).to.equal(heldBefore - REWARD_B);
    expect(await balance(stakingAddress)).to.equal(stakedBefore + REWARD_B);
    await expectInvariants(ctx);
  });

  it("slashes active stake as the slasher (impersonated), capped at maxSlashBps, to the treasury", async () => {
    const { staking } = ctx;
    const slasher = await impersonate(ctx.target.record.roles.slasher);
    const treasury = await staking.treasury();
    const treasuryBefore = await balance(treasury);
    const cap = (STAKE_A * (await staking.maxSlashBps())) / BPS;
    slashedA = SLASH_A < cap ? SLASH_A : cap;
    const evidence = keccak256(toUtf8Bytes("fork suite: evidence against operator A"));
    await expect(staking.connect(slasher).slash(opA.address, SLASH_A, evidence))
      .to.emit(staking, "Slashed")
      .withArgs(opA.address, evidence, treasury, SLASH_A, slashedA, 0n);
    expect(await staking.activeStakeOf(opA.address)).to.equal(STAKE_A - slashedA);
    expect(await balance(treasury)).to.equal(treasuryBefore + slashedA);
    await expectInvariants(ctx);
  });

  it("slashes unbonding stake too: the maximum fraction of an operator that asked to unstake", async () => {
    const { staking } = ctx;
    const period = await staking.unbondingPeriod();
    const tx = await staking.connect(opB).requestUnstake(REWARD_B);
    const ts = await txTime(tx);
    await expect(tx)
      .to.emit(staking, "UnstakeRequested")
      .withArgs(opB.address, REWARD_B, ts + period);
    const slasher = await impersonate(ctx.target.record.roles.slasher);
    const treasury = await staking.treasury();
    const treasuryBefore = await balance(treasury);
    slashedB = (REWARD_B * (await staking.maxSlashBps())) / BPS;
    const evidence = keccak256(toUtf8Bytes("fork suite: evidence against operator B"));
    await expect(staking.connect(slasher).slash(opB.address, MaxUint256, evidence))
      .to.emit(staking, "Slashed")
      .withArgs(opB.address, evidence, treasury, MaxUint256, 0n, slashedB);
    expect(await staking.activeStakeOf(opB.address)).to.equal(0n);
    expect([...(await staking.unbondingOf(opB.address))]).to.deep.equal([REWARD_B - slashedB, 0n]);
    expect(await balance(treasury)).to.equal(treasuryBefore + slashedB);
    await expectInvariants(ctx);
  });

  it("unstakes and withdraws exactly what is left, not before the unbonding period ends", async () => {
    const { staking } = ctx;
    const stakingAddress = await addressOf(staking);
    const left = STAKE_A - slashedA;
    const period = await staking.unbondingPeriod();
    const tx = await staking.connect(opA).requestUnstake(left);
    const release = (await txTime(tx)) + period;
    await expect(tx).to.emit(staking, "UnstakeRequested").withArgs(opA.address, left, release);
    await expect(tx)
      .to.emit(staking, "ActiveStakeUpdated")
      .withArgs(opA.address, 0n, release - period);
    await expect(staking.connect(opA).withdraw())
      .to.be.revertedWithCustomError(staking, "StakingUnbondingNotMatured")
      .withArgs(opA.address, release, anyValue);

    const [heldBefore, unbondingBefore] = [await balance(stakingAddress), await staking.totalUnbonding()];
    await time.setNextBlockTimestamp(release);
    await expect(staking.connect(opA).withdraw()).to.emit(staking, "Withdrawn").withArgs(opA.address, left);
    await expect(staking.connect(opB).withdraw())
      .to.emit(staking, "Withdrawn")
      .withArgs(opB.address, REWARD_B - slashedB);
    expect(await balance(opA.address)).to.equal(FUND_A - STAKE_A + REWARD_A + left);
    expect(await balance(opB.address)).to.equal(REWARD_B - slashedB);
    expect([...(await staking.unbondingOf(opA.address))]).to.deep.equal([0n, 0n]);
    expect(await staking.totalUnbonding()).to.equal(unbondingBefore - left - (REWARD_B - slashedB));
    expect(await balance(stakingAddress)).to.equal(heldBefore - left - (REWARD_B - slashedB));
    expect(await staking.stakeAt(opA.address, stakedAt)).to.equal(STAKE_A);
    await expectInvariants(ctx);
  });
});
