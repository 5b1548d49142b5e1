import { loadFixture, mine, time } from "@nomicfoundation/hardhat-network-helpers";
import { anyValue } from "@nomicfoundation/hardhat-chai-matchers/withArgs";
import { expect } from "chai";
import fc from "fast-check";
import type { ContractTransactionResponse } from "ethers";
import hre, { ethers, network } from "hardhat";
import type { MinerStaking } from "../../typechain-types";
import {
  BPS,
  DAY,
  DEFAULTS,
  MSN,
  OPERATOR_BALANCE,
  REGISTER_NODE_TYPES,
  bandwidthDomain,
  referenceBoostBps,
  signPermit,
  signRegistration,
  stakingFixture,
} from "../shared/stakingFixture";

const EVIDENCE = ethers.id("fraud evidence bundle #1");

async function txTime(tx: ContractTransactionResponse): Promise<bigint> {
  const receipt = await tx.wait();
  const block = await ethers.provider.getBlock(receipt!.blockNumber);
  return BigInt(block!.timestamp);
}

async function queueOf(staking: MinerStaking, operator: string) {
  const count = await staking.unbondingRequestCount(operator);
  const out: { amount: bigint; releaseTime: bigint }[] = [];
  for (let i = 0n; i < count; i++) {
    const r = await staking.unbondingRequest(operator, i);
    out.push({ amount: r.amount, releaseTime: r.releaseTime });
  }
  return out;
}

describe("MinerStaking", () => {
  /* ------------------------------------------------------------------------------------------------ */
  describe("deployment", () => {
    it("starts with the SPEC defaults, roles and an empty book", async () => {
      const { staking, token, admin, treasury } = await loadFixture(stakingFixture);
      expect(await staking.TOKEN()).to.equal(await token.getAddress());
      expect(await staking.unbondingPeriod()).to.equal(DEFAULTS.unbondingPeriod);
      expect(await staking.boostParams()).to.deep.equal([DEFAULTS.maxBoostBps, DEFAULTS.fullStakePerNode]);
      expect(await staking.maxSlashBps()).to.equal(DEFAULTS.maxSlashBps);
      expect(await staking.treasury()).to.equal(treasury.address);
      expect(await staking.hasRole(await staking.DEFAULT_ADMIN_ROLE(), admin.address)).to.equal(true);
      expect(await staking.hasRole(await staking.SLASHER_ROLE(), admin.address)).to.equal(true);
      expect(await staking.totalActiveStake()).to.equal(0n);
      expect(await staking.totalUnbonding()).to.equal(0n);
    });

    it("emits every parameter, including BoostParamsUpdated with the deployment time, in the constructor", async () => {
      const { token, admin, treasury } = await loadFixture(stakingFixture);
      const factory = await ethers.getContractFactory("MinerStaking");
      const deployed = await factory.deploy(
        await token.getAddress(),
        admin.address,
        treasury.address,
        DEFAULTS.unbondingPeriod,
        DEFAULTS.maxBoostBps,
        DEFAULTS.fullStakePerNode,
        DEFAULTS.maxSlashBps,
      );
      const tx = deployed.deploymentTransaction()!;
      const receipt = await tx.wait();
      const at = BigInt((await ethers.provider.getBlock(receipt!.blockNumber))!.timestamp);
      await expect(tx)
        .to.emit(deployed, "BoostParamsUpdated")
        .withArgs(DEFAULTS.maxBoostBps, DEFAULTS.fullStakePerNode, at);
      await expect(tx).to.emit(deployed, "UnbondingPeriodUpdated").withArgs(DEFAULTS.unbondingPeriod);
      await expect(tx).to.emit(deployed, "MaxSlashBpsUpdated").withArgs(DEFAULTS.maxSlashBps);
      await expect(tx).to.emit(deployed, "TreasuryUpdated").withArgs(treasury.address);
    });

    it("reverts a zero token, admin or treasury and out-of-bounds parameters", async () => {
      const { token, admin, treasury, staking } = await loadFixture(stakingFixture);
      const factory = await ethers.getContractFactory("MinerStaking");
      const t = await token.getAddress();
      const ok: [bigint, bigint, bigint, bigint] = [
        DEFAULTS.unbondingPeriod,
        DEFAULTS.maxBoostBps,
        DEFAULTS.fullStakePerNode,
        DEFAULTS.maxSlashBps,
      ];
      await expect(
        factory.deploy(ethers.ZeroAddress, admin.address, treasury.address, ...ok),
      ).to.be.revertedWithCustomError(staking, "StakingZeroAddress");
      await expect(
        factory.deploy(t, ethers.ZeroAddress, treasury.address, ...ok),
      ).to.be.revertedWithCustomError(staking, "StakingZeroAddress");
      await expect(factory.deploy(t, admin.address, ethers.ZeroAddress, ...ok)).to.be.revertedWithCustomError(
        staking,
        "StakingZeroAddress",
      );
      await expect(
        factory.deploy(t, admin.address, treasury.address, DAY - 1n, ok[1], ok[2], ok[3]),
      ).to.be.revertedWithCustomError(staking, "StakingUnbondingPeriodOutOfBounds");
      await expect(
        factory.deploy(t, admin.address, treasury.address, ok[0], 9_999n, ok[2], ok[3]),
      ).to.be.revertedWithCustomError(staking, "StakingMaxBoostOutOfBounds");
      await expect(
        factory.deploy(t, admin.address, treasury.address, ok[0], ok[1], 0n, ok[3]),
      ).to.be.revertedWithCustomError(staking, "StakingFullStakeOutOfBounds");
      await expect(
        factory.deploy(t, admin.address, treasury.address, ok[0], ok[1], ok[2], 0n),
      ).to.be.revertedWithCustomError(staking, "StakingMaxSlashOutOfBounds");
    });
  });

  /* ------------------------------------------------------------------------------------------------ */
  describe("node registry", () => {
    async function registryFixture() {
      const d = await stakingFixture();
      const nodeKey = ethers.Wallet.createRandom();
      const deadline = BigInt(await time.latest()) + DAY;
      return { ...d, nodeKey, deadline };
    }

    it("registers a node with its node key's signature", async () => {
      const { staking, operators, nodeKey, deadline } = await loadFixture(registryFixture);
      const [op] = operators;
      const sig = await signRegistration(nodeKey, staking, op.address, deadline);
      await expect(staking.connect(op).registerNode(nodeKey.address, deadline, sig))
        .to.emit(staking, "NodeRegistered")
        .withArgs(nodeKey.address, op.address);
      expect(await staking.operatorOf(nodeKey.address)).to.equal(op.address);
      expect(await staking.nodeCount(op.address)).to.equal(1n);
      expect(await staking.nodeNonce(nodeKey.address)).to.equal(1n);
    });

    it("lets one operator register many nodes and counts them", async () => {
      const { staking, operators, deadline } = await loadFixture(registryFixture);
      const [op] = operators;
      for (let i = 0; i < 3; i++) {
        const key = ethers.Wallet.createRandom();
        await staking
          .connect(op)
          .registerNode(key.address, deadline, await signRegistration(key, staking, op.address, deadline));
      }
      expect(await staking.nodeCount(op.address)).to.equal(3n);
    });

    it("accepts a signature on its deadline second", async () => {
      const { staking, operators, nodeKey } = await loadFixture(registryFixture);
      const deadline = BigInt(await time.latest()) + 10n;
      const sig = await signRegistration(nodeKey, staking, operators[0].address, deadline);
      await time.setNextBlockTimestamp(deadline);
      await expect(staking.connect(operators[0]).registerNode(nodeKey.address, deadline, sig)).to.emit(
        staking,
        "NodeRegistered",
      );
    });

    it("reverts a signature made by another key", async () => {
      const { staking, operators, nodeKey, deadline } = await loadFixture(registryFixture);
      const impostor = ethers.Wallet.createRandom();
      const sig = await signRegistration(impostor, staking, operators[0].address, deadline, {
        node: nodeKey.address,
      });
      await expect(staking.connect(operators[0]).registerNode(nodeKey.address, deadline, sig))
        .to.be.revertedWithCustomError(staking, "StakingInvalidNodeSignature")
        .withArgs(nodeKey.address, impostor.address);
    });

    it("reverts a node's signature submitted by another operator (the signature names its operator)", async () => {
      const { staking, operators, nodeKey, deadline } = await loadFixture(registryFixture);
      const sig = await signRegistration(nodeKey, staking, operators[0].address, deadline);
      const tx = staking.connect(operators[1]).registerNode(nodeKey.address, deadline, sig);
      await expect(tx).to.be.revertedWithCustomError(staking, "StakingInvalidNodeSignature");
    });

    it("reverts a signature whose deadline differs from the one submitted", async () => {
      const { staking, operators, nodeKey, deadline } = await loadFixture(registryFixture);
      const sig = await signRegistration(nodeKey, staking, operators[0].address, deadline);
      await expect(
        staking.connect(operators[0]).registerNode(nodeKey.address, deadline + 1n, sig),
      ).to.be.revertedWithCustomError(staking, "StakingInvalidNodeSignature");
    });

    it("reverts a replayed signature after the node was deregistered", async () => {
      const { staking, operators, nodeKey, deadline } = await loadFixture(registryFixture);
      const [op] = operators;
      const sig = await signRegistration(nodeKey, staking, op.address, deadline);
      await staking.connect(op).registerNode(nodeKey.address, deadline, sig);
      await staking.connect(op).deregisterNode(nodeKey.address);
      await expect(staking.connect(op).registerNode(nodeKey.address, deadline, sig))
        .to.be.revertedWithCustomError(staking, "StakingSignatureReplayed")
        .withArgs(nodeKey.address, 0n);
      // Any other bad signature for a node that was registered before is still just invalid.
      const impostor = ethers.Wallet.createRandom();
      const forged = await signRegistration(impostor, staking, op.address, deadline, {
        node: nodeKey.address,
      });
      await expect(staking.connect(op).registerNode(nodeKey.address, deadline, forged))
        .to.be.revertedWithCustomError(staking, "StakingInvalidNodeSignature")
        .withArgs(nodeKey.address, impostor.address);
      // A fresh signature (next nonce) works.
      const fresh = await signRegistration(nodeKey, staking, op.address, deadline);
      await expect(staking.connect(op).registerNode(nodeKey.address, deadline, fresh)).to.emit(
        staking,
        "NodeRegistered",
      );
      expect(await staking.nodeNonce(nodeKey.address)).to.equal(2n);
    });

    it("reverts a signature for another chain", async () => {
      const { staking, operators, nodeKey, deadline } = await loadFixture(registryFixture);
      const sig = await signRegistration(nodeKey, staking, operators[0].address, deadline, { chainId: 1n });
      const recovered = ethers.verifyTypedData(
        await bandwidthDomain(staking),
        REGISTER_NODE_TYPES,
        { node: nodeKey.address, operator: operators[0].address, nonce: 0n, deadline },
        sig,
      );
      expect(recovered).to.not.equal(nodeKey.address);
      await expect(staking.connect(operators[0]).registerNode(nodeKey.address, deadline, sig))
        .to.be.revertedWithCustomError(staking, "StakingInvalidNodeSignature")
        .withArgs(nodeKey.address, recovered);
    });

    it("reverts a signature for another contract, which that contract accepts", async () => {
      const { staking, token, admin, treasury, operators, nodeKey, deadline } =
        await loadFixture(registryFixture);
      const other = (await ethers.deployContract("MinerStaking", [
        await token.getAddress(),
        admin.address,
        treasury.address,
        DEFAULTS.unbondingPeriod,
        DEFAULTS.maxBoostBps,
        DEFAULTS.fullStakePerNode,
        DEFAULTS.maxSlashBps,
      ])) as unknown as MinerStaking;
      const sig = await signRegistration(nodeKey, other, operators[0].address, deadline);
      await expect(
        staking.connect(operators[0]).registerNode(nodeKey.address, deadline, sig),
      ).to.be.revertedWithCustomError(staking, "StakingInvalidNodeSignature");
      await expect(other.connect(operators[0]).registerNode(nodeKey.address, deadline, sig)).to.emit(
        other,
        "NodeRegistered",
      );
    });

    it("reverts an expired signature", async () => {
      const { staking, operators, nodeKey } = await loadFixture(registryFixture);
      const deadline = BigInt(await time.latest()) + 10n;
      const sig = await signRegistration(nodeKey, staking, operators[0].address, deadline);
      await time.setNextBlockTimestamp(deadline + 1n);
      await expect(staking.connect(operators[0]).registerNode(nodeKey.address, deadline, sig))
        .to.be.revertedWithCustomError(staking, "StakingSignatureExpired")
        .withArgs(deadline, deadline + 1n);
    });

    it("reverts registering an already-registered node, by its operator or anyone else", async () => {
      const { staking, operators, nodeKey, deadline } = await loadFixture(registryFixture);
      const [op, op2] = operators;
      await staking
        .connect(op)
        .registerNode(
          nodeKey.address,
          deadline,
          await signRegistration(nodeKey, staking, op.address, deadline),
        );
      for (const caller of [op, op2]) {
        const sig = await signRegistration(nodeKey, staking, caller.address, deadline);
        await expect(staking.connect(caller).registerNode(nodeKey.address, deadline, sig))
          .to.be.revertedWithCustomError(staking, "StakingNodeAlreadyRegistered")
          .withArgs(nodeKey.address, op.address);
      }
    });

    it("reverts the zero node and a malformed signature", async () => {
      const { staking, operators, nodeKey, deadline } = await loadFixture(registryFixture);
      await expect(
        staking.connect(operators[0]).registerNode(ethers.ZeroAddress, deadline, "0x"),
      ).to.be.revertedWithCustomError(staking, "StakingZeroAddress");
      await expect(
        staking.connect(operators[0]).registerNode(nodeKey.address, deadline, "0x" + "11".repeat(64)),
      )
        .to.be.revertedWithCustomError(staking, "StakingInvalidNodeSignature")
        .withArgs(nodeKey.address, ethers.ZeroAddress);
    });

    it("deregisters a node by its operator, after which another operator can register it with a new signature", async () => {
      const { staking, operators, nodeKey, deadline } = await loadFixture(registryFixture);
      const [op, op2] = operators;
      await staking
        .connect(op)
        .registerNode(
          nodeKey.address,
          deadline,
          await signRegistration(nodeKey, staking, op.address, deadline),
        );
      await expect(staking.connect(op).deregisterNode(nodeKey.address))
        .to.emit(staking, "NodeDeregistered")
        .withArgs(nodeKey.address, op.address);
      expect(await staking.operatorOf(nodeKey.address)).to.equal(ethers.ZeroAddress);
      expect(await staking.nodeCount(op.address)).to.equal(0n);
      const sig = await signRegistration(nodeKey, staking, op2.address, deadline);
      await staking.connect(op2).registerNode(nodeKey.address, deadline, sig);
      expect(await staking.operatorOf(nodeKey.address)).to.equal(op2.address);
      expect(await staking.nodeCount(op2.address)).to.equal(1n);
    });

    it("reverts deregistration by anyone but the node's operator, and of an unregistered node", async () => {
      const { staking, operators, nodeKey, deadline } = await loadFixture(registryFixture);
      const [op, op2] = operators;
      await expect(staking.connect(op).deregisterNode(nodeKey.address))
        .to.be.revertedWithCustomError(staking, "StakingNotNodeOperator")
        .withArgs(nodeKey.address, op.address);
      await staking
        .connect(op)
        .registerNode(
          nodeKey.address,
          deadline,
          await signRegistration(nodeKey, staking, op.address, deadline),
        );
      await expect(staking.connect(op2).deregisterNode(nodeKey.address))
        .to.be.revertedWithCustomError(staking, "StakingNotNodeOperator")
        .withArgs(nodeKey.address, op2.address);
    });

    it("exposes the EIP-712 domain and digest the node key signs", async () => {
      const { staking, operators, nodeKey, deadline } = await loadFixture(registryFixture);
      const domain = await bandwidthDomain(staking);
      const message = { node: nodeKey.address, operator: operators[0].address, nonce: 5n, deadline };
      expect(await staking.registerNodeDigest(nodeKey.address, operators[0].address, 5n, deadline)).to.equal(
        ethers.TypedDataEncoder.hash(domain, REGISTER_NODE_TYPES, message),
      );
      expect(await staking.DOMAIN_SEPARATOR()).to.equal(ethers.TypedDataEncoder.hashDomain(domain));
      const eip712 = await staking.eip712Domain();
      expect(eip712.name).to.equal("MSN Bandwidth");
      expect(eip712.version).to.equal("1");
      expect(await staking.REGISTER_NODE_TYPEHASH()).to.equal(
        ethers.id("RegisterNode(address node,address operator,uint256 nonce,uint256 deadline)"),
      );
    });
  });

  /* ------------------------------------------------------------------------------------------------ */
  describe("staking", () => {
    it("stakes the caller's tokens and records the change", async () => {
      const { staking, token, operators } = await loadFixture(stakingFixture);
      const [op] = operators;
      const tx = await staking.connect(op).stake(100n * MSN);
      const at = await txTime(tx);
      await expect(tx)
        .to.emit(staking, "Staked")
        .withArgs(op.address, op.address, 100n * MSN);
      await expect(tx)
        .to.emit(staking, "ActiveStakeUpdated")
        .withArgs(op.address, 100n * MSN, at);
      await expect(tx).to.changeTokenBalances(token, [op, staking], [-100n * MSN, 100n * MSN]);
      expect(await staking.activeStakeOf(op.address)).to.equal(100n * MSN);
      expect(await staking.totalActiveStake()).to.equal(100n * MSN);
    });

    it("stakes for an operator with tokens pulled from the caller (claim-and-stake)", async () => {
      const { staking, token, operators, funder } = await loadFixture(stakingFixture);
      const [op] = operators;
      const tx = await staking.connect(funder).stakeFor(op.address, 7n * MSN);
      await expect(tx)
        .to.emit(staking, "Staked")
        .withArgs(op.address, funder.address, 7n * MSN);
      await expect(tx).to.changeTokenBalances(token, [funder, op, staking], [-7n * MSN, 0n, 7n * MSN]);
      expect(await staking.activeStakeOf(op.address)).to.equal(7n * MSN);
      expect(await staking.activeStakeOf(funder.address)).to.equal(0n);
    });

    it("reverts a zero amount, a zero operator and a stake beyond the caller's allowance", async () => {
      const { staking, token, operators, others } = await loadFixture(stakingFixture);
      await expect(staking.connect(operators[0]).stake(0n)).to.be.revertedWithCustomError(
        staking,
        "StakingZeroAmount",
      );
      await expect(
        staking.connect(operators[0]).stakeFor(ethers.ZeroAddress, 1n),
      ).to.be.revertedWithCustomError(staking, "StakingZeroAddress");
      await expect(staking.connect(others[0]).stake(1n))
        .to.be.revertedWithCustomError(token, "ERC20InsufficientAllowance")
        .withArgs(await staking.getAddress(), 0n, 1n);
    });

    it("stakes with a permit instead of an approval", async () => {
      const { staking, token, admin, others } = await loadFixture(stakingFixture);
      const holder = others[0];
      await token.connect(admin).transfer(holder.address, 50n * MSN);
      const deadline = BigInt(await time.latest()) + DAY;
      const sig = await signPermit(token, holder, await staking.getAddress(), 50n * MSN, deadline);
      await expect(staking.connect(holder).stakeWithPermit(50n * MSN, deadline, sig.v, sig.r, sig.s))
        .to.emit(staking, "Staked")
        .withArgs(holder.address, holder.address, 50n * MSN);
      expect(await staking.activeStakeOf(holder.address)).to.equal(50n * MSN);
    });

    it("still stakes when the permit was front-run, and reverts when the permit is bad and no allowance exists", async () => {
      const { staking, token, admin, others } = await loadFixture(stakingFixture);
      const holder = others[0];
      await token.connect(admin).transfer(holder.address, 50n * MSN);
      const deadline = BigInt(await time.latest()) + DAY;
      const sig = await signPermit(token, holder, await staking.getAddress(), 50n * MSN, deadline);
      // Someone submits the permit first: the allowance now exists, the permit call inside fails.
      await token.permit(
        holder.address,
        await staking.getAddress(),
        50n * MSN,
        deadline,
        sig.v,
        sig.r,
        sig.s,
      );
      await expect(staking.connect(holder).stakeWithPermit(50n * MSN, deadline, sig.v, sig.r, sig.s)).to.emit(
        staking,
        "Staked",
      );
      const holder2 = others[1];
      await token.connect(admin).transfer(holder2.address, 50n * MSN);
      await expect(
        staking.connect(holder2).stakeWithPermit(50n * MSN, deadline, sig.v, sig.r, sig.s),
      ).to.be.revertedWithCustomError(token, "ERC20InsufficientAllowance");
    });

    it("answers stakeAt exactly at, before and after each change", async () => {
      const { staking, operators } = await loadFixture(stakingFixture);
      const [op] = operators;
      const t0 = await txTime(await staking.connect(op).stake(100n * MSN));
      await time.increase(100);
      const t1 = await txTime(await staking.connect(op).stake(50n * MSN));
      await time.increase(100);
      const t2 = await txTime(await staking.connect(op).requestUnstake(30n * MSN));
      await time.increase(100);
      expect(await staking.stakeAt(op.address, t0 - 1n)).to.equal(0n);
      expect(await staking.stakeAt(op.address, t0)).to.equal(100n * MSN);
      expect(await staking.stakeAt(op.address, t1 - 1n)).to.equal(100n * MSN);
      expect(await staking.stakeAt(op.address, t1)).to.equal(150n * MSN);
      expect(await staking.stakeAt(op.address, t2 - 1n)).to.equal(150n * MSN);
      expect(await staking.stakeAt(op.address, t2)).to.equal(120n * MSN);
      expect(await staking.stakeAt(op.address, t2 + 50n)).to.equal(120n * MSN);
      expect(await staking.stakeAt(op.address, 0n)).to.equal(0n);
    });

    it("keeps one checkpoint with the final value for several changes in one block", async () => {
      const { staking, operators, funder } = await loadFixture(stakingFixture);
      const [op] = operators;
      await staking.connect(op).stake(10n * MSN);
      const before = BigInt(await time.latest());
      await time.increase(10);
      await network.provider.send("evm_setAutomine", [false]);
      try {
        const txs = [
          await staking.connect(op).stake(100n * MSN),
          await staking.connect(funder).stakeFor(op.address, 5n * MSN),
          await staking.connect(op).requestUnstake(40n * MSN),
        ];
        await network.provider.send("evm_mine", []);
        const times = await Promise.all(txs.map(txTime));
        expect(new Set(times).size).to.equal(1);
        const t = times[0];
        // Each transaction still reports the value right after its own change.
        const events = await staking.queryFilter(staking.filters.ActiveStakeUpdated(op.address), -1);
        expect(events.map((e) => e.args.activeStake)).to.deep.equal([110n * MSN, 115n * MSN, 75n * MSN]);
        expect(await staking.stakeAt(op.address, t)).to.equal(75n * MSN);
        expect(await staking.stakeAt(op.address, t - 1n)).to.equal(10n * MSN);
        expect(await staking.stakeAt(op.address, before)).to.equal(10n * MSN);
      } finally {
        await network.provider.send("evm_setAutomine", [true]);
      }
    });

    it("reverts stakeAt for a future time and answers the current value at the current time", async () => {
      const { staking, operators } = await loadFixture(stakingFixture);
      const t = await txTime(await staking.connect(operators[0]).stake(3n * MSN));
      expect(await staking.stakeAt(operators[0].address, t)).to.equal(3n * MSN);
      await expect(staking.stakeAt(operators[0].address, t + 1n))
        .to.be.revertedWithCustomError(staking, "StakingFutureLookup")
        .withArgs(t + 1n, t);
      await expect(staking.stakeAt(operators[0].address, ethers.MaxUint256)).to.be.revertedWithCustomError(
        staking,
        "StakingFutureLookup",
      );
    });
  });

  /* ------------------------------------------------------------------------------------------------ */
  describe("unbonding and withdrawal", () => {
    async function stakedFixture() {
      const d = await stakingFixture();
      await d.staking.connect(d.operators[0]).stake(1_000n * MSN);
      return d;
    }

    it("moves active stake into a request released after the unbonding period", async () => {
      const { staking, operators } = await loadFixture(stakedFixture);
      const [op] = operators;
      const tx = await staking.connect(op).requestUnstake(400n * MSN);
      const at = await txTime(tx);
      await expect(tx)
        .to.emit(staking, "UnstakeRequested")
        .withArgs(op.address, 400n * MSN, at + DEFAULTS.unbondingPeriod);
      await expect(tx)
        .to.emit(staking, "ActiveStakeUpdated")
        .withArgs(op.address, 600n * MSN, at);
      expect(await staking.activeStakeOf(op.address)).to.equal(600n * MSN);
      expect(await staking.unbondingOf(op.address)).to.deep.equal([400n * MSN, 0n]);
      expect(await staking.totalActiveStake()).to.equal(600n * MSN);
      expect(await staking.totalUnbonding()).to.equal(400n * MSN);
      expect(await queueOf(staking, op.address)).to.deep.equal([
        { amount: 400n * MSN, releaseTime: at + DEFAULTS.unbondingPeriod },
      ]);
    });

    it("reverts a zero unstake and one above the active stake", async () => {
      const { staking, operators } = await loadFixture(stakedFixture);
      const [op] = operators;
      await expect(staking.connect(op).requestUnstake(0n)).to.be.revertedWithCustomError(
        staking,
        "StakingZeroAmount",
      );
      await expect(staking.connect(op).requestUnstake(1_000n * MSN + 1n))
        .to.be.revertedWithCustomError(staking, "StakingInsufficientActiveStake")
        .withArgs(op.address, 1_000n * MSN, 1_000n * MSN + 1n);
    });

    it("reverts a withdrawal with nothing unbonding and one before the release time", async () => {
      const { staking, operators } = await loadFixture(stakedFixture);
      const [op] = operators;
      await expect(staking.connect(op).withdraw())
        .to.be.revertedWithCustomError(staking, "StakingNothingUnbonding")
        .withArgs(op.address);
      const at = await txTime(await staking.connect(op).requestUnstake(10n * MSN));
      const release = at + DEFAULTS.unbondingPeriod;
      await time.setNextBlockTimestamp(release - 1n);
      await expect(staking.connect(op).withdraw())
        .to.be.revertedWithCustomError(staking, "StakingUnbondingNotMatured")
        .withArgs(op.address, release, release - 1n);
    });

    it("pays exactly the request at its release time", async () => {
      const { staking, token, operators } = await loadFixture(stakedFixture);
      const [op] = operators;
      const at = await txTime(await staking.connect(op).requestUnstake(10n * MSN + 7n));
      await time.setNextBlockTimestamp(at + DEFAULTS.unbondingPeriod);
      const tx = staking.connect(op).withdraw();
      await expect(tx)
        .to.emit(staking, "Withdrawn")
        .withArgs(op.address, 10n * MSN + 7n);
      await expect(tx).to.changeTokenBalances(token, [op, staking], [10n * MSN + 7n, -(10n * MSN + 7n)]);
      expect(await staking.unbondingOf(op.address)).to.deep.equal([0n, 0n]);
      expect(await staking.totalUnbonding()).to.equal(0n);
      expect(await staking.unbondingRequestCount(op.address)).to.equal(0n);
      await expect(staking.connect(op).withdraw()).to.be.revertedWithCustomError(
        staking,
        "StakingNothingUnbonding",
      );
    });

    it("queues partial unstakes and pays only the matured ones, in order", async () => {
      const { staking, token, operators } = await loadFixture(stakedFixture);
      const [op] = operators;
      const a = await txTime(await staking.connect(op).requestUnstake(100n * MSN));
      await time.increase(DAY);
      const b = await txTime(await staking.connect(op).requestUnstake(200n * MSN));
      await time.increase(DAY);
      const c = await txTime(await staking.connect(op).requestUnstake(300n * MSN));
      const P = DEFAULTS.unbondingPeriod;
      expect(await queueOf(staking, op.address)).to.deep.equal([
        { amount: 100n * MSN, releaseTime: a + P },
        { amount: 200n * MSN, releaseTime: b + P },
        { amount: 300n * MSN, releaseTime: c + P },
      ]);
      await time.increaseTo(b + P);
      expect(await staking.unbondingOf(op.address)).to.deep.equal([600n * MSN, 300n * MSN]);
      await expect(staking.connect(op).withdraw()).to.changeTokenBalance(token, op, 300n * MSN);
      expect(await queueOf(staking, op.address)).to.deep.equal([{ amount: 300n * MSN, releaseTime: c + P }]);
      await expect(staking.connect(op).withdraw())
        .to.be.revertedWithCustomError(staking, "StakingUnbondingNotMatured")
        .withArgs(op.address, c + P, anyValue);
      await time.increaseTo(c + P);
      await expect(staking.connect(op).withdraw()).to.changeTokenBalance(token, op, 300n * MSN);
      expect(await staking.activeStakeOf(op.address)).to.equal(400n * MSN);
      expect(await staking.totalUnbonding()).to.equal(0n);
    });

    it("pays many matured requests in one withdrawal", async () => {
      const { staking, token, operators } = await loadFixture(stakedFixture);
      const [op] = operators;
      for (let i = 1n; i <= 20n; i++) {
        await staking.connect(op).requestUnstake(i * MSN);
      }
      expect(await staking.unbondingRequestCount(op.address)).to.equal(20n);
      await time.increase(DEFAULTS.unbondingPeriod);
      await expect(staking.connect(op).withdraw()).to.changeTokenBalance(token, op, 210n * MSN);
    });

    it("joins unstakes of the same block into one request", async () => {
      const { staking, operators } = await loadFixture(stakedFixture);
      const [op] = operators;
      await network.provider.send("evm_setAutomine", [false]);
      try {
        const t1 = await staking.connect(op).requestUnstake(1n * MSN);
        const t2 = await staking.connect(op).requestUnstake(2n * MSN);
        await network.provider.send("evm_mine", []);
        const at = await txTime(t1);
        await expect(t2)
          .to.emit(staking, "UnstakeRequested")
          .withArgs(op.address, 2n * MSN, at + DEFAULTS.unbondingPeriod);
        expect(await queueOf(staking, op.address)).to.deep.equal([
          { amount: 3n * MSN, releaseTime: at + DEFAULTS.unbondingPeriod },
        ]);
      } finally {
        await network.provider.send("evm_setAutomine", [true]);
      }
    });

    it("never releases a later request before an earlier one when the period is shortened", async () => {
      const { staking, operators, admin } = await loadFixture(stakedFixture);
      const [op] = operators;
      const a = await txTime(await staking.connect(op).requestUnstake(1n * MSN));
      await staking.connect(admin).setUnbondingPeriod(DAY);
      // Released with the earlier request, not at now + 1 day: it joins that request.
      const b = await txTime(await staking.connect(op).requestUnstake(2n * MSN));
      expect(await queueOf(staking, op.address)).to.deep.equal([
        { amount: 3n * MSN, releaseTime: a + DEFAULTS.unbondingPeriod },
      ]);
      // Once the earlier request is gone, the new period applies.
      await time.increaseTo(a + DEFAULTS.unbondingPeriod);
      await staking.connect(op).withdraw();
      const c = await txTime(await staking.connect(op).requestUnstake(4n * MSN));
      expect(await queueOf(staking, op.address)).to.deep.equal([{ amount: 4n * MSN, releaseTime: c + DAY }]);
      expect(b).to.be.greaterThan(a);
    });

    it("applies a longer period to new requests only", async () => {
      const { staking, operators, admin } = await loadFixture(stakedFixture);
      const [op] = operators;
      const a = await txTime(await staking.connect(op).requestUnstake(1n * MSN));
      await staking.connect(admin).setUnbondingPeriod(30n * DAY);
      const b = await txTime(await staking.connect(op).requestUnstake(2n * MSN));
      expect(await queueOf(staking, op.address)).to.deep.equal([
        { amount: 1n * MSN, releaseTime: a + DEFAULTS.unbondingPeriod },
        { amount: 2n * MSN, releaseTime: b + 30n * DAY },
      ]);
    });

    it("gives unbonding stake no boost", async () => {
      const { staking, operators } = await loadFixture(stakedFixture);
      const [op] = operators;
      const t0 = BigInt(await time.latest());
      expect(await staking.boostBps(op.address, 1n, t0)).to.equal(20_000n);
      const t1 = await txTime(await staking.connect(op).requestUnstake(500n * MSN));
      expect(await staking.boostBps(op.address, 1n, t1)).to.equal(15_000n);
      expect(await staking.boostBps(op.address, 1n, t0)).to.equal(20_000n);
    });

    it("reverts reading a request index past the queue", async () => {
      const { staking, operators } = await loadFixture(stakedFixture);
      await staking.connect(operators[0]).requestUnstake(1n);
      await expect(staking.unbondingRequest(operators[0].address, 1n))
        .to.be.revertedWithCustomError(staking, "StakingRequestIndexOutOfBounds")
        .withArgs(1n, 1n);
    });
  });

  /* ------------------------------------------------------------------------------------------------ */
  describe("boost", () => {
    const STAKES = [
      0n,
      1n,
      250n * MSN,
      999n * MSN + 999n,
      1_000n * MSN,
      2_500n * MSN,
      10_000n * MSN,
      123_456n * MSN + 789n,
    ];
    const NODE_COUNTS = [0n, 1n, 2n, 3n, 7n, 1_000n];

    it("matches the SPEC formula at zero, partial, full and over-full stake for n = 0, 1 and many", async () => {
      const { staking, funder, others } = await loadFixture(stakingFixture);
      const ops = others.concat((await ethers.getSigners()).slice(10, 14));
      for (let i = 0; i < STAKES.length; i++) {
        if (STAKES[i] > 0n) await staking.connect(funder).stakeFor(ops[i].address, STAKES[i]);
      }
      const t = BigInt(await time.latest());
      for (let i = 0; i < STAKES.length; i++) {
        for (const n of NODE_COUNTS) {
          const expected = referenceBoostBps(STAKES[i], n, DEFAULTS.maxBoostBps, DEFAULTS.fullStakePerNode);
          expect(await staking.boostBps(ops[i].address, n, t), `stake ${STAKES[i]} n ${n}`).to.equal(
            expected,
          );
        }
      }
      // Spot checks from the SPEC defaults: 250 MSN on one node = 1.25x; full stake on 3 nodes = 2x.
      expect(referenceBoostBps(250n * MSN, 1n, 20_000n, 1_000n * MSN)).to.equal(12_500n);
      expect(referenceBoostBps(3_000n * MSN, 3n, 20_000n, 1_000n * MSN)).to.equal(20_000n);
    });

    it("returns 1x when full stake times the node count overflows", async () => {
      const { staking, operators } = await loadFixture(stakingFixture);
      await staking.connect(operators[0]).stake(10n * MSN);
      const t = BigInt(await time.latest());
      expect(await staking.boostBps(operators[0].address, 2n ** 255n, t)).to.equal(BPS);
      expect(await staking.boostBps(operators[0].address, ethers.MaxUint256, t)).to.equal(BPS);
    });

    it("uses the parameters in effect at the time asked, so past boosts do not change", async () => {
      const { staking, operators, admin } = await loadFixture(stakingFixture);
      const [op] = operators;
      await staking.connect(op).stake(1_500n * MSN);
      await time.increase(10);
      const before = BigInt(await time.latest());
      const beforeBoost = await staking.boostBps(op.address, 2n, before);
      const tx = await staking.connect(admin).setBoostParams(30_000n, 500n * MSN);
      const at = await txTime(tx);
      await expect(tx)
        .to.emit(staking, "BoostParamsUpdated")
        .withArgs(30_000n, 500n * MSN, at);
      await time.increase(10);
      expect(await staking.boostBps(op.address, 2n, before)).to.equal(beforeBoost);
      expect(beforeBoost).to.equal(referenceBoostBps(1_500n * MSN, 2n, 20_000n, 1_000n * MSN));
      expect(await staking.boostBps(op.address, 2n, at)).to.equal(
        referenceBoostBps(1_500n * MSN, 2n, 30_000n, 500n * MSN),
      );
      expect(await staking.boostBps(op.address, 4n, at)).to.equal(
        referenceBoostBps(1_500n * MSN, 4n, 30_000n, 500n * MSN),
      );
      expect(await staking.boostParamsAt(at - 1n)).to.deep.equal([20_000n, 1_000n * MSN]);
      expect(await staking.boostParamsAt(at)).to.deep.equal([30_000n, 500n * MSN]);
      expect(await staking.boostParams()).to.deep.equal([30_000n, 500n * MSN]);
    });

    it("keeps the last of several parameter changes in one block", async () => {
      const { staking, admin } = await loadFixture(stakingFixture);
      await network.provider.send("evm_setAutomine", [false]);
      try {
        const a = await staking.connect(admin).setBoostParams(30_000n, 500n * MSN);
        await staking.connect(admin).setBoostParams(40_000n, 700n * MSN);
        await network.provider.send("evm_mine", []);
        const t = await txTime(a);
        expect(await staking.boostParamsAt(t)).to.deep.equal([40_000n, 700n * MSN]);
        expect(await staking.boostParamsAt(t - 1n)).to.deep.equal([20_000n, 1_000n * MSN]);
      } finally {
        await network.provider.send("evm_setAutomine", [true]);
      }
    });

    it("gives the initial parameters for times before deployment and reverts for future times", async () => {
      const { staking, operators } = await loadFixture(stakingFixture);
      expect(await staking.boostParamsAt(0n)).to.deep.equal([
        DEFAULTS.maxBoostBps,
        DEFAULTS.fullStakePerNode,
      ]);
      const now = BigInt(await time.latest());
      await expect(staking.boostParamsAt(now + 1n))
        .to.be.revertedWithCustomError(staking, "StakingFutureLookup")
        .withArgs(now + 1n, now);
      for (const n of [0n, 1n]) {
        await expect(staking.boostBps(operators[0].address, n, now + 1n)).to.be.revertedWithCustomError(
          staking,
          "StakingFutureLookup",
        );
      }
    });
  });

  /* ------------------------------------------------------------------------------------------------ */
  describe("slashing", () => {
    async function slashFixture() {
      const d = await stakingFixture();
      const [op] = d.operators;
      await d.staking.connect(op).stake(1_000n * MSN);
      return d;
    }

    it("takes from active stake only when it suffices, and pays the treasury", async () => {
      const { staking, token, operators, admin, treasury } = await loadFixture(slashFixture);
      const [op] = operators;
      await staking.connect(op).requestUnstake(200n * MSN);
      const tx = await staking.connect(admin).slash(op.address, 300n * MSN, EVIDENCE);
      const at = await txTime(tx);
      await expect(tx)
        .to.emit(staking, "Slashed")
        .withArgs(op.address, EVIDENCE, treasury.address, 300n * MSN, 300n * MSN, 0n);
      await expect(tx)
        .to.emit(staking, "ActiveStakeUpdated")
        .withArgs(op.address, 500n * MSN, at);
      await expect(tx).to.changeTokenBalances(token, [staking, treasury], [-300n * MSN, 300n * MSN]);
      expect(await staking.activeStakeOf(op.address)).to.equal(500n * MSN);
      expect(await staking.unbondingOf(op.address)).to.deep.equal([200n * MSN, 0n]);
      expect(await staking.totalActiveStake()).to.equal(500n * MSN);
      expect(await staking.totalUnbonding()).to.equal(200n * MSN);
    });

    it("takes from active first, then from unbonding requests, newest first", async () => {
      const { staking, token, operators, admin, treasury } = await loadFixture(slashFixture);
      const [op] = operators;
      const a = await txTime(await staking.connect(op).requestUnstake(300n * MSN));
      await time.increase(DAY);
      const b = await txTime(await staking.connect(op).requestUnstake(300n * MSN));
      await time.increase(DAY);
      const c = await txTime(await staking.connect(op).requestUnstake(300n * MSN));
      // active 100, unbonding 300+300+300; cap 500: 100 from active, 400 from unbonding (c fully, b by 100).
      const tx = staking.connect(admin).slash(op.address, 500n * MSN, EVIDENCE);
      await expect(tx)
        .to.emit(staking, "Slashed")
        .withArgs(op.address, EVIDENCE, treasury.address, 500n * MSN, 100n * MSN, 400n * MSN);
      await expect(tx).to.changeTokenBalance(token, treasury, 500n * MSN);
      const P = DEFAULTS.unbondingPeriod;
      expect(await queueOf(staking, op.address)).to.deep.equal([
        { amount: 300n * MSN, releaseTime: a + P },
        { amount: 200n * MSN, releaseTime: b + P },
      ]);
      expect(await staking.activeStakeOf(op.address)).to.equal(0n);
      expect(await staking.totalUnbonding()).to.equal(500n * MSN);
      expect(c).to.be.greaterThan(b);
      // Later requests and withdrawals stay exact after the cut.
      await staking.connect(op).stake(50n * MSN);
      const d = await txTime(await staking.connect(op).requestUnstake(50n * MSN));
      expect(await queueOf(staking, op.address)).to.deep.equal([
        { amount: 300n * MSN, releaseTime: a + P },
        { amount: 200n * MSN, releaseTime: b + P },
        { amount: 50n * MSN, releaseTime: d + P },
      ]);
      await time.increaseTo(b + P);
      await expect(staking.connect(op).withdraw()).to.changeTokenBalance(token, op, 500n * MSN);
      await time.increaseTo(d + P);
      await expect(staking.connect(op).withdraw()).to.changeTokenBalance(token, op, 50n * MSN);
    });

    it("drops requests exactly at an entry boundary and can empty the queue", async () => {
      const { staking, operators, admin } = await loadFixture(slashFixture);
      const [op] = operators;
      await staking.connect(admin).setMaxSlashBps(10_000n);
      const a = await txTime(await staking.connect(op).requestUnstake(400n * MSN));
      await time.increase(DAY);
      await staking.connect(op).requestUnstake(600n * MSN);
      await staking.connect(admin).slash(op.address, 600n * MSN, EVIDENCE);
      expect(await queueOf(staking, op.address)).to.deep.equal([
        { amount: 400n * MSN, releaseTime: a + DEFAULTS.unbondingPeriod },
      ]);
      await staking.connect(admin).slash(op.address, 400n * MSN, EVIDENCE);
      expect(await staking.unbondingRequestCount(op.address)).to.equal(0n);
      expect(await staking.unbondingOf(op.address)).to.deep.equal([0n, 0n]);
      await expect(staking.connect(op).withdraw()).to.be.revertedWithCustomError(
        staking,
        "StakingNothingUnbonding",
      );
      // The queue is reusable afterwards.
      await staking.connect(op).stake(5n * MSN);
      const c = await txTime(await staking.connect(op).requestUnstake(5n * MSN));
      expect(await queueOf(staking, op.address)).to.deep.equal([
        { amount: 5n * MSN, releaseTime: c + DEFAULTS.unbondingPeriod },
      ]);
    });

    it("slashes matured but unwithdrawn stake too, after the queue was partly withdrawn", async () => {
      const { staking, token, operators, admin } = await loadFixture(slashFixture);
      const [op] = operators;
      await staking.connect(op).requestUnstake(1_000n * MSN);
      await time.increase(DEFAULTS.unbondingPeriod);
      await staking.connect(op).withdraw();
      await staking.connect(op).stake(100n * MSN);
      await staking.connect(op).requestUnstake(100n * MSN);
      await time.increase(DEFAULTS.unbondingPeriod);
      expect(await staking.unbondingOf(op.address)).to.deep.equal([100n * MSN, 100n * MSN]);
      await staking.connect(admin).slash(op.address, 10n * MSN, EVIDENCE);
      await expect(staking.connect(op).withdraw()).to.changeTokenBalance(token, op, 90n * MSN);
    });

    it("caps a slash at the max fraction of active + unbonding stake", async () => {
      const { staking, operators, admin, treasury } = await loadFixture(slashFixture);
      const [op] = operators;
      await staking.connect(op).requestUnstake(200n * MSN);
      await expect(staking.connect(admin).slash(op.address, 900n * MSN, EVIDENCE))
        .to.emit(staking, "Slashed")
        .withArgs(op.address, EVIDENCE, treasury.address, 900n * MSN, 500n * MSN, 0n);
      // Next slash: total 500, cap 250; max uint asks for "as much as allowed".
      await expect(staking.connect(admin).slash(op.address, ethers.MaxUint256, EVIDENCE))
        .to.emit(staking, "Slashed")
        .withArgs(op.address, EVIDENCE, treasury.address, ethers.MaxUint256, 250n * MSN, 0n);
      await expect(staking.connect(admin).slash(op.address, ethers.MaxUint256, EVIDENCE))
        .to.emit(staking, "Slashed")
        .withArgs(op.address, EVIDENCE, treasury.address, ethers.MaxUint256, 50n * MSN, 75n * MSN);
      expect(await staking.activeStakeOf(op.address)).to.equal(0n);
      expect(await staking.unbondingOf(op.address)).to.deep.equal([125n * MSN, 0n]);
    });

    it("reverts a slash by a non-slasher, with no amount, no evidence or nothing to take", async () => {
      const { staking, operators, admin } = await loadFixture(slashFixture);
      const [op, op2] = operators;
      await expect(staking.connect(op2).slash(op.address, 1n, EVIDENCE))
        .to.be.revertedWithCustomError(staking, "AccessControlUnauthorizedAccount")
        .withArgs(op2.address, await staking.SLASHER_ROLE());
      await expect(staking.connect(admin).slash(op.address, 0n, EVIDENCE)).to.be.revertedWithCustomError(
        staking,
        "StakingZeroAmount",
      );
      await expect(
        staking.connect(admin).slash(op.address, 1n, ethers.ZeroHash),
      ).to.be.revertedWithCustomError(staking, "StakingMissingEvidence");
      await expect(staking.connect(admin).slash(op2.address, 1n, EVIDENCE))
        .to.be.revertedWithCustomError(staking, "StakingNothingToSlash")
        .withArgs(op2.address);
      await staking.connect(op2).stake(1n);
      await expect(staking.connect(admin).slash(op2.address, 1n, EVIDENCE))
        .to.be.revertedWithCustomError(staking, "StakingNothingToSlash")
        .withArgs(op2.address);
    });

    it("lets governance grant the slasher role to another account", async () => {
      const { staking, operators, admin, others } = await loadFixture(slashFixture);
      await staking.connect(admin).grantRole(await staking.SLASHER_ROLE(), others[0].address);
      await expect(staking.connect(others[0]).slash(operators[0].address, 1n, EVIDENCE)).to.emit(
        staking,
        "Slashed",
      );
    });
  });

  /* ------------------------------------------------------------------------------------------------ */
  describe("governance", () => {
    it("sets every parameter within its bounds, emitting an event", async () => {
      const { staking, admin, others } = await loadFixture(stakingFixture);
      await expect(staking.connect(admin).setUnbondingPeriod(60n * DAY))
        .to.emit(staking, "UnbondingPeriodUpdated")
        .withArgs(60n * DAY);
      await expect(staking.connect(admin).setUnbondingPeriod(DAY)).to.emit(staking, "UnbondingPeriodUpdated");
      await expect(staking.connect(admin).setMaxSlashBps(10_000n))
        .to.emit(staking, "MaxSlashBpsUpdated")
        .withArgs(10_000n);
      await expect(staking.connect(admin).setMaxSlashBps(1n))
        .to.emit(staking, "MaxSlashBpsUpdated")
        .withArgs(1n);
      await expect(staking.connect(admin).setTreasury(others[0].address))
        .to.emit(staking, "TreasuryUpdated")
        .withArgs(others[0].address);
      await expect(staking.connect(admin).setBoostParams(10_000n, MSN)).to.emit(
        staking,
        "BoostParamsUpdated",
      );
      await expect(staking.connect(admin).setBoostParams(100_000n, 100_000_000n * MSN)).to.emit(
        staking,
        "BoostParamsUpdated",
      );
      expect(await staking.unbondingPeriod()).to.equal(DAY);
      expect(await staking.maxSlashBps()).to.equal(1n);
      expect(await staking.treasury()).to.equal(others[0].address);
      expect(await staking.boostParams()).to.deep.equal([100_000n, 100_000_000n * MSN]);
    });

    it("reverts out-of-bounds values with the bounds", async () => {
      const { staking, admin } = await loadFixture(stakingFixture);
      await expect(staking.connect(admin).setUnbondingPeriod(DAY - 1n))
        .to.be.revertedWithCustomError(staking, "StakingUnbondingPeriodOutOfBounds")
        .withArgs(DAY - 1n, DAY, 60n * DAY);
      await expect(staking.connect(admin).setUnbondingPeriod(60n * DAY + 1n))
        .to.be.revertedWithCustomError(staking, "StakingUnbondingPeriodOutOfBounds")
        .withArgs(60n * DAY + 1n, DAY, 60n * DAY);
      await expect(staking.connect(admin).setBoostParams(9_999n, MSN))
        .to.be.revertedWithCustomError(staking, "StakingMaxBoostOutOfBounds")
        .withArgs(9_999n, 10_000n, 100_000n);
      await expect(staking.connect(admin).setBoostParams(100_001n, MSN))
        .to.be.revertedWithCustomError(staking, "StakingMaxBoostOutOfBounds")
        .withArgs(100_001n, 10_000n, 100_000n);
      await expect(staking.connect(admin).setBoostParams(20_000n, MSN - 1n))
        .to.be.revertedWithCustomError(staking, "StakingFullStakeOutOfBounds")
        .withArgs(MSN - 1n, MSN, 100_000_000n * MSN);
      await expect(staking.connect(admin).setBoostParams(20_000n, 100_000_000n * MSN + 1n))
        .to.be.revertedWithCustomError(staking, "StakingFullStakeOutOfBounds")
        .withArgs(100_000_000n * MSN + 1n, MSN, 100_000_000n * MSN);
      await expect(staking.connect(admin).setMaxSlashBps(0n))
        .to.be.revertedWithCustomError(staking, "StakingMaxSlashOutOfBounds")
        .withArgs(0n, 1n, 10_000n);
      await expect(staking.connect(admin).setMaxSlashBps(10_001n))
        .to.be.revertedWithCustomError(staking, "StakingMaxSlashOutOfBounds")
        .withArgs(10_001n, 1n, 10_000n);
      await expect(staking.connect(admin).setTreasury(ethers.ZeroAddress)).to.be.revertedWithCustomError(
        staking,
        "StakingZeroAddress",
      );
    });

    it("rejects no-op changes", async () => {
      const { staking, admin, treasury } = await loadFixture(stakingFixture);
      await expect(
        staking.connect(admin).setUnbondingPeriod(DEFAULTS.unbondingPeriod),
      ).to.be.revertedWithCustomError(staking, "StakingParamUnchanged");
      await expect(
        staking.connect(admin).setBoostParams(DEFAULTS.maxBoostBps, DEFAULTS.fullStakePerNode),
      ).to.be.revertedWithCustomError(staking, "StakingParamUnchanged");
      await expect(staking.connect(admin).setMaxSlashBps(DEFAULTS.maxSlashBps)).to.be.revertedWithCustomError(
        staking,
        "StakingParamUnchanged",
      );
      await expect(staking.connect(admin).setTreasury(treasury.address)).to.be.revertedWithCustomError(
        staking,
        "StakingParamUnchanged",
      );
    });

    it("reverts every setter for an account without the admin role", async () => {
      const { staking, operators } = await loadFixture(stakingFixture);
      const [op] = operators;
      const role = await staking.DEFAULT_ADMIN_ROLE();
      // Sent one at a time: a promise created early would reject before it is awaited.
      const calls = [
        () => staking.connect(op).setUnbondingPeriod(2n * DAY),
        () => staking.connect(op).setBoostParams(30_000n, MSN),
        () => staking.connect(op).setMaxSlashBps(100n),
        () => staking.connect(op).setTreasury(op.address),
      ];
      for (const call of calls) {
        await expect(call())
          .to.be.revertedWithCustomError(staking, "AccessControlUnauthorizedAccount")
          .withArgs(op.address, role);
      }
    });
  });
});

/* -------------------------------------------------------------------------------------------------- */
/* Property-based invariant: random action sequences over several operators against a TS model.       */
/* -------------------------------------------------------------------------------------------------- */

type Action =
  | { kind: "stake"; op: number; amount: bigint }
  | { kind: "stakeFor"; op: number; amount: bigint }
  | { kind: "unstake"; op: number; perMille: number }
  | { kind: "withdraw"; op: number }
  | { kind: "wait"; seconds: bigint }
  | { kind: "slash"; op: number; amount: bigint }
  | { kind: "setPeriod"; days: bigint }
  | { kind: "setMaxSlash"; bps: bigint };

interface ModelOperator {
  active: bigint;
  queue: { amount: bigint; releaseTime: bigint }[];
  deposited: bigint;
  withdrawn: bigint;
  slashed: bigint;
  /** [block time, active stake after every change at that time]. */
  history: [bigint, bigint][];
}

describe("MinerStaking invariants (fast-check, seed 20240607)", () => {
  const OPS = 3;
  const amountArb = fc.oneof(fc.bigInt({ min: 1n, max: 1_000n }), fc.bigInt({ min: 1n, max: 5_000n * MSN }));
  const opArb = fc.integer({ min: 0, max: OPS - 1 });
  const actionArb: fc.Arbitrary<Action> = fc.oneof(
    {
      weight: 4,
      arbitrary: fc.record({ kind: fc.constant("stake" as const), op: opArb, amount: amountArb }),
    },
    {
      weight: 2,
      arbitrary: fc.record({ kind: fc.constant("stakeFor" as const), op: opArb, amount: amountArb }),
    },
    {
      weight: 4,
      arbitrary: fc.record({
        kind: fc.constant("unstake" as const),
        op: opArb,
        perMille: fc.oneof(fc.integer({ min: 0, max: 1_000 }), fc.constantFrom(1_000, 1_001, 1_500)),
      }),
    },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant("withdraw" as const), op: opArb }) },
    {
      weight: 3,
      arbitrary: fc.record({
        kind: fc.constant("wait" as const),
        seconds: fc.oneof(fc.bigInt({ min: 0n, max: 3_600n }), fc.bigInt({ min: DAY, max: 10n * DAY })),
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant("slash" as const),
        op: opArb,
        amount: fc.oneof(amountArb, fc.constant(ethers.MaxUint256)),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant("setPeriod" as const),
        days: fc.bigInt({ min: 1n, max: 14n }),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant("setMaxSlash" as const),
        bps: fc.bigInt({ min: 1n, max: 10_000n }),
      }),
    },
  );

  it("keeps balance = active + unbonding, exact queues and stakeAt history, and never overpays anyone", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(actionArb, { minLength: 20, maxLength: 60, size: "max" }),
        async (actions) => {
          const { staking, token, admin, operators, funder } = await loadFixture(stakingFixture);
          const stakingAddress = await staking.getAddress();
          const gas = { gasLimit: 1_000_000 };
          const model: ModelOperator[] = operators.map(() => ({
            active: 0n,
            queue: [],
            deposited: 0n,
            withdrawn: 0n,
            slashed: 0n,
            history: [],
          }));
          let period: bigint = DEFAULTS.unbondingPeriod;
          let maxSlash: bigint = DEFAULTS.maxSlashBps;
          let now = BigInt(await time.latest());
          let pendingWait = 0n;

          const record = (m: ModelOperator) => {
            const last = m.history[m.history.length - 1];
            if (last && last[0] === now) last[1] = m.active;
            else m.history.push([now, m.active]);
          };
          const unbonding = (m: ModelOperator) => m.queue.reduce((s, r) => s + r.amount, 0n);

          for (const action of actions) {
            if (action.kind === "wait") {
              pendingWait += action.seconds;
              continue;
            }
            now += 1n + pendingWait;
            pendingWait = 0n;
            await time.setNextBlockTimestamp(now);

            switch (action.kind) {
              case "stake":
              case "stakeFor": {
                const m = model[action.op];
                const op = operators[action.op];
                const tx =
                  action.kind === "stake"
                    ? staking.connect(op).stake(action.amount, gas)
                    : staking.connect(funder).stakeFor(op.address, action.amount, gas);
                await expect(tx)
                  .to.emit(staking, "ActiveStakeUpdated")
                  .withArgs(op.address, m.active + action.amount, now);
                m.active += action.amount;
                m.deposited += action.amount;
                record(m);
                break;
              }
              case "unstake": {
                const m = model[action.op];
                const op = operators[action.op];
                const amount =
                  (m.active * BigInt(action.perMille)) / 1_000n + (action.perMille > 1_000 ? 1n : 0n);
                const tx = staking.connect(op).requestUnstake(amount, gas);
                if (amount === 0n) {
                  await expect(tx).to.be.revertedWithCustomError(staking, "StakingZeroAmount");
                } else if (amount > m.active) {
                  await expect(tx)
                    .to.be.revertedWithCustomError(staking, "StakingInsufficientActiveStake")
                    .withArgs(op.address, m.active, amount);
                } else {
                  const last = m.queue[m.queue.length - 1];
                  const release = last && last.releaseTime >= now + period ? last.releaseTime : now + period;
                  await expect(tx).to.emit(staking, "UnstakeRequested").withArgs(op.address, amount, release);
                  if (last && last.releaseTime === release) last.amount += amount;
                  else m.queue.push({ amount, releaseTime: release });
                  m.active -= amount;
                  record(m);
                }
                break;
              }
              case "withdraw": {
                const m = model[action.op];
                const op = operators[action.op];
                const tx = staking.connect(op).withdraw(gas);
                if (m.queue.length === 0) {
                  await expect(tx).to.be.revertedWithCustomError(staking, "StakingNothingUnbonding");
                } else if (m.queue[0].releaseTime > now) {
                  await expect(tx)
                    .to.be.revertedWithCustomError(staking, "StakingUnbondingNotMatured")
                    .withArgs(op.address, m.queue[0].releaseTime, now);
                } else {
                  let paid = 0n;
                  while (m.queue.length > 0 && m.queue[0].releaseTime <= now) paid += m.queue.shift()!.amount;
                  await expect(tx).to.changeTokenBalances(token, [op, stakingAddress], [paid, -paid]);
                  m.withdrawn += paid;
                  // No account ever withdraws more than it put in minus what was slashed from it.
                  expect(m.withdrawn).to.be.at.most(m.deposited - m.slashed);
                }
                break;
              }
              case "slash": {
                const m = model[action.op];
                const op = operators[action.op];
                const total = m.active + unbonding(m);
                const cap = (total * maxSlash) / BPS;
                const slashed = action.amount < cap ? action.amount : cap;
                const tx = staking.connect(admin).slash(op.address, action.amount, EVIDENCE, gas);
                if (slashed === 0n) {
                  await expect(tx).to.be.revertedWithCustomError(staking, "StakingNothingToSlash");
                } else {
                  const fromActive = slashed < m.active ? slashed : m.active;
                  let fromUnbonding = slashed - fromActive;
                  await expect(tx)
                    .to.emit(staking, "Slashed")
                    .withArgs(op.address, EVIDENCE, anyValue, action.amount, fromActive, fromUnbonding);
                  m.active -= fromActive;
                  if (fromActive > 0n) record(m);
                  while (fromUnbonding > 0n) {
                    const newest = m.queue[m.queue.length - 1];
                    const cut = newest.amount < fromUnbonding ? newest.amount : fromUnbonding;
                    newest.amount -= cut;
                    fromUnbonding -= cut;
                    if (newest.amount === 0n) m.queue.pop();
                  }
                  m.slashed += slashed;
                }
                break;
              }
              case "setPeriod": {
                const tx = staking.connect(admin).setUnbondingPeriod(action.days * DAY, gas);
                if (action.days * DAY === period) {
                  await expect(tx).to.be.revertedWithCustomError(staking, "StakingParamUnchanged");
                } else {
                  await expect(tx).to.emit(staking, "UnbondingPeriodUpdated");
                  period = action.days * DAY;
                }
                break;
              }
              case "setMaxSlash": {
                const tx = staking.connect(admin).setMaxSlashBps(action.bps, gas);
                if (action.bps === maxSlash) {
                  await expect(tx).to.be.revertedWithCustomError(staking, "StakingParamUnchanged");
                } else {
                  await expect(tx).to.emit(staking, "MaxSlashBpsUpdated");
                  maxSlash = action.bps;
                }
                break;
              }
            }

            // After every action: the contract holds exactly what it owes.
            const [balance, totalActive, totalUnbonding] = await Promise.all([
              token.balanceOf(stakingAddress),
              staking.totalActiveStake(),
              staking.totalUnbonding(),
            ]);
            expect(balance).to.equal(totalActive + totalUnbonding);
            expect(totalActive).to.equal(model.reduce((s, m) => s + m.active, 0n));
            expect(totalUnbonding).to.equal(model.reduce((s, m) => s + unbonding(m), 0n));
            if ("op" in action) {
              const m = model[action.op];
              const address = operators[action.op].address;
              expect(await staking.activeStakeOf(address)).to.equal(m.active);
              expect((await staking.unbondingOf(address)).total).to.equal(unbonding(m));
            }
          }

          // End of the sequence: exact queues, conservation per operator and the whole stake history.
          for (let i = 0; i < OPS; i++) {
            const m = model[i];
            const address = operators[i].address;
            expect(await queueOf(staking, address)).to.deep.equal(m.queue);
            expect(m.deposited).to.equal(m.active + unbonding(m) + m.withdrawn + m.slashed);
            expect(await token.balanceOf(address)).to.equal(
              OPERATOR_BALANCE - m.deposited + m.withdrawn + stakeForOf(actions, i),
            );
            for (const [t, value] of m.history) {
              expect(await staking.stakeAt(address, t)).to.equal(value);
              const before = m.history.filter(([u]) => u < t).pop();
              expect(await staking.stakeAt(address, t - 1n)).to.equal(before ? before[1] : 0n);
            }
          }
        },
      ),
      { seed: 20240607, numRuns: 40, endOnFailure: true },
    );
  });
});

/** The part of an operator's deposits that came from the funder (not from its own balance). */
function stakeForOf(actions: Action[], op: number): bigint {
  return actions.reduce((s, a) => (a.kind === "stakeFor" && a.op === op ? s + a.amount : s), 0n);
}

/* -------------------------------------------------------------------------------------------------- */
/* Gas of the hot paths. The table prints with REPORT_GAS=1; the ceilings guard against regressions.    */
/* -------------------------------------------------------------------------------------------------- */

describe("MinerStaking gas", () => {
  it("keeps stake, requestUnstake, withdraw and registerNode cheap", async () => {
    const { staking, operators, funder, admin } = await loadFixture(stakingFixture);
    const [op, op2] = operators;
    const rows: [string, bigint, bigint][] = [];
    const measure = async (label: string, ceiling: bigint, tx: Promise<ContractTransactionResponse>) => {
      const receipt = await (await tx).wait();
      rows.push([label, receipt!.gasUsed, ceiling]);
    };

    await measure(
      "stake: first ever (contract balance 0 -> x)",
      140_000n,
      staking.connect(op2).stake(10n * MSN),
    );
    await measure("stake: operator's first", 105_000n, staking.connect(op).stake(100n * MSN));
    await time.increase(60);
    await measure("stake: later (new block)", 90_000n, staking.connect(op).stake(100n * MSN));
    await time.increase(60);
    await measure(
      "stakeFor: later (new block)",
      90_000n,
      staking.connect(funder).stakeFor(op.address, 100n * MSN),
    );
    await time.increase(60);
    await measure("requestUnstake: first", 115_000n, staking.connect(op).requestUnstake(10n * MSN));
    await time.increase(60);
    await measure(
      "requestUnstake: later (new entry)",
      100_000n,
      staking.connect(op).requestUnstake(10n * MSN),
    );
    await time.increase(DEFAULTS.unbondingPeriod);
    await measure("withdraw: 2 matured requests", 60_000n, staking.connect(op).withdraw());
    for (let i = 0; i < 10; i++) {
      await time.increase(60);
      await staking.connect(op).requestUnstake(MSN);
    }
    await time.increase(DEFAULTS.unbondingPeriod);
    await measure("withdraw: 10 matured requests", 62_000n, staking.connect(op).withdraw());
    for (let i = 0; i < 10; i++) {
      await time.increase(DAY);
      await staking.connect(op).requestUnstake(MSN);
    }
    await time.increase(DEFAULTS.unbondingPeriod - 5n * DAY);
    await measure("withdraw: 5 of 10 matured (binary search)", 72_000n, staking.connect(op).withdraw());
    await measure(
      "slash: active only (treasury balance 0 -> x)",
      120_000n,
      staking.connect(admin).slash(op.address, ethers.MaxUint256, EVIDENCE),
    );
    for (let i = 0; i < 3; i++) {
      await time.increase(60);
      await staking.connect(op2).requestUnstake(3n * MSN);
    }
    await measure(
      "slash: active + newest 2 of 3 requests",
      110_000n,
      staking.connect(admin).slash(op2.address, ethers.MaxUint256, EVIDENCE),
    );

    const deadline = BigInt(await time.latest()) + DAY;
    const key1 = ethers.Wallet.createRandom();
    const key2 = ethers.Wallet.createRandom();
    await measure(
      "registerNode: operator's first (new account slot)",
      80_000n,
      staking
        .connect(funder)
        .registerNode(
          key1.address,
          deadline,
          await signRegistration(key1, staking, funder.address, deadline),
        ),
    );
    await measure(
      "registerNode: later",
      62_000n,
      staking
        .connect(funder)
        .registerNode(
          key2.address,
          deadline,
          await signRegistration(key2, staking, funder.address, deadline),
        ),
    );
    await measure("deregisterNode", 36_000n, staking.connect(funder).deregisterNode(key2.address));

    if (process.env.REPORT_GAS) {
      console.log("\n    MinerStaking gas (transaction gasUsed, incl. 21000 base and the MSN transfer)");
      for (const [label, gasUsed] of rows)
        console.log(`      ${label.padEnd(48)} ${gasUsed.toString().padStart(8)}`);
    }
    // Coverage instrumentation inflates gas: the ceilings only hold for the real bytecode.
    const instrumented = (hre as unknown as { __SOLIDITY_COVERAGE_RUNNING?: boolean })
      .__SOLIDITY_COVERAGE_RUNNING;
    if (!instrumented)
      for (const [label, gasUsed, ceiling] of rows) expect(gasUsed, label).to.be.at.most(ceiling);
  });
});
