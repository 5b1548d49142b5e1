import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import { rmSync, writeFileSync, mkdirSync } from "node:fs";
import hre, { ethers } from "hardhat";
import { DEPLOYMENTS_DIR, deploymentPath } from "../../scripts/lib/deployments";
import {
  describeError,
  formatBoost,
  formatMsn,
  parseMsnAmount,
  resolveContractAddress,
} from "../../tasks/staking";
import { DEFAULTS, MSN, stakingFixture } from "../shared/stakingFixture";

/** Runs a task, capturing what it prints. */
async function runTask(name: string, args: Record<string, unknown>) {
  const lines: string[] = [];
  const original = console.log;
  console.log = (...parts: unknown[]) => {
    lines.push(parts.map(String).join(" "));
  };
  try {
    const result = await hre.run(name, args);
    return { result, output: lines.join("\n") };
  } finally {
    console.log = original;
  }
}

/** Expects the task to fail with a one-line message matching `pattern`. */
async function expectTaskError(name: string, args: Record<string, unknown>, pattern: RegExp) {
  let error: Error | undefined;
  try {
    await runTask(name, args);
  } catch (e) {
    error = e as Error;
  }
  expect(error, `${name} should fail`).to.not.equal(undefined);
  expect(error!.message).to.match(pattern);
  expect(error!.message).to.not.contain("\n");
}

async function tasksFixture() {
  const d = await stakingFixture();
  const staking = await d.staking.getAddress();
  const token = await d.token.getAddress();
  // Signer indexes: 0 admin, 1 treasury, 2..4 operators (approved), 5 funder, 6.. others (no allowance).
  const fresh = d.others[0]; // index 6
  await d.token.connect(d.admin).transfer(fresh.address, 5_000n * MSN);
  await d.token.connect(d.admin).transfer(d.others[1].address, 5_000n * MSN); // index 7
  return { ...d, addresses: { staking, token }, fresh };
}

describe("staking tasks (msn:*)", () => {
  let savedMinerKey: string | undefined;
  let savedNodeKey: string | undefined;
  beforeEach(() => {
    savedMinerKey = process.env.MINER_PRIVATE_KEY;
    savedNodeKey = process.env.NODE_PRIVATE_KEY;
    delete process.env.MINER_PRIVATE_KEY;
    delete process.env.NODE_PRIVATE_KEY;
  });
  afterEach(() => {
    if (savedMinerKey === undefined) delete process.env.MINER_PRIVATE_KEY;
    else process.env.MINER_PRIVATE_KEY = savedMinerKey;
    if (savedNodeKey === undefined) delete process.env.NODE_PRIVATE_KEY;
    else process.env.NODE_PRIVATE_KEY = savedNodeKey;
  });

  describe("msn:stake", () => {
    it("stakes with a permit when there is no allowance", async () => {
      const { staking, token, fresh, addresses } = await loadFixture(tasksFixture);
      const { result, output } = await runTask("msn:stake", { amount: "1234.5", account: 6, ...addresses });
      expect(result.method).to.equal("stakeWithPermit");
      expect(await staking.activeStakeOf(fresh.address)).to.equal(1_234_500_000_000_000_000_000n);
      expect(await token.allowance(fresh.address, addresses.staking)).to.equal(0n);
      expect(output).to.match(
        /^staked 1,234.5 MSN for 0x[0-9a-fA-F]{40} via stakeWithPermit; active stake 1,234.5 MSN; tx 0x/,
      );
    });

    it("approves then stakes with --approve, and uses an existing allowance as is", async () => {
      const { staking, others, operators, addresses } = await loadFixture(tasksFixture);
      const approved = await runTask("msn:stake", { amount: "10", account: 7, approve: true, ...addresses });
      expect(approved.result.method).to.equal("approve+stake");
      expect(await staking.activeStakeOf(others[1].address)).to.equal(10n * MSN);
      const plain = await runTask("msn:stake", { amount: "10", account: 2, ...addresses });
      expect(plain.result.method).to.equal("stake");
      expect(await staking.activeStakeOf(operators[0].address)).to.equal(10n * MSN);
    });

    it("uses MINER_PRIVATE_KEY when no --account is given", async () => {
      const { staking, token, admin, addresses } = await loadFixture(tasksFixture);
      const wallet = ethers.Wallet.createRandom();
      await admin.sendTransaction({ to: wallet.address, value: ethers.parseEther("1") });
      await token.connect(admin).transfer(wallet.address, 100n * MSN);
      process.env.MINER_PRIVATE_KEY = wallet.privateKey;
      await runTask("msn:stake", { amount: "100", ...addresses });
      expect(await staking.activeStakeOf(wallet.address)).to.equal(100n * MSN);
    });

    it("fails with one line for a bad amount, a short balance, a bad key or account, and a mismatched token", async () => {
      const { addresses, staking } = await loadFixture(tasksFixture);
      await expectTaskError(
        "msn:stake",
        { amount: "abc", account: 6, ...addresses },
        /--amount must be a positive MSN amount/,
      );
      await expectTaskError(
        "msn:stake",
        { amount: "0", account: 6, ...addresses },
        /--amount must be greater than zero/,
      );
      await expectTaskError(
        "msn:stake",
        { amount: "1.0000000000000000001", account: 6, ...addresses },
        /at most 18 decimals/,
      );
      await expectTaskError(
        "msn:stake",
        { amount: "5001", account: 6, ...addresses },
        /holds 5,000 MSN, less than --amount 5,001 MSN/,
      );
      await expectTaskError(
        "msn:stake",
        { amount: "1", account: 99, ...addresses },
        /has 20 Hardhat account\(s\), no #99/,
      );
      process.env.MINER_PRIVATE_KEY = "0x1234";
      await expectTaskError(
        "msn:stake",
        { amount: "1", ...addresses },
        /MINER_PRIVATE_KEY is not a 32-byte hex private key/,
      );
      await expectTaskError(
        "msn:stake",
        { amount: "1", account: 6, staking: addresses.staking, token: addresses.staking },
        new RegExp(`MinerStaking stakes ${addresses.token}, not the token ${await staking.getAddress()}`),
      );
    });
  });

  describe("msn:unstake and msn:withdraw", () => {
    it("unstakes, refuses an early withdrawal with the release time, then withdraws exactly", async () => {
      const { staking, token, operators, addresses } = await loadFixture(tasksFixture);
      const op = operators[0];
      await runTask("msn:stake", { amount: "100", account: 2, ...addresses });
      const { result, output } = await runTask("msn:unstake", {
        amount: "40",
        account: 2,
        staking: addresses.staking,
      });
      const now = BigInt(await time.latest());
      expect(result.releaseTime).to.equal(now + DEFAULTS.unbondingPeriod);
      expect(output).to.contain("unstaking 40 MSN");
      expect(output).to.contain("active stake 60 MSN");
      await expectTaskError(
        "msn:withdraw",
        { account: 2, staking: addresses.staking },
        /^nothing has matured for 0x[0-9a-fA-F]{40} yet: the oldest request \(40 MSN\) is released at \S+Z \(in 7d 0h\)$/,
      );
      await time.increase(DEFAULTS.unbondingPeriod);
      const before = await token.balanceOf(op.address);
      const withdrawn = await runTask("msn:withdraw", { account: 2, staking: addresses.staking });
      expect(withdrawn.result.amount).to.equal(40n * MSN);
      expect((await token.balanceOf(op.address)) - before).to.equal(40n * MSN);
      expect(withdrawn.output).to.contain("withdrew 40 MSN");
      expect(await staking.activeStakeOf(op.address)).to.equal(60n * MSN);
    });

    it("fails with one line when unstaking more than the active stake or withdrawing with nothing unbonding", async () => {
      const { addresses } = await loadFixture(tasksFixture);
      await expectTaskError(
        "msn:unstake",
        { amount: "1", account: 2, staking: addresses.staking },
        /has 0 MSN active stake, less than --amount 1 MSN/,
      );
      await expectTaskError(
        "msn:withdraw",
        { account: 2, staking: addresses.staking },
        /nothing is unbonding for 0x/,
      );
    });
  });

  describe("msn:register-node", () => {
    it("registers a node key given with --node-key or NODE_PRIVATE_KEY, and refuses one already registered", async () => {
      const { staking, operators, addresses } = await loadFixture(tasksFixture);
      const key1 = ethers.Wallet.createRandom();
      const { result } = await runTask("msn:register-node", {
        nodeKey: key1.privateKey,
        account: 2,
        staking: addresses.staking,
      });
      expect(result.node).to.equal(key1.address);
      expect(await staking.operatorOf(key1.address)).to.equal(operators[0].address);
      const key2 = ethers.Wallet.createRandom();
      process.env.NODE_PRIVATE_KEY = key2.privateKey.slice(2);
      await runTask("msn:register-node", { account: 2, staking: addresses.staking });
      expect(await staking.nodeCount(operators[0].address)).to.equal(2n);
      await expectTaskError(
        "msn:register-node",
        { nodeKey: key1.privateKey, account: 3, staking: addresses.staking },
        new RegExp(`node ${key1.address} is already registered to ${operators[0].address}`),
      );
    });

    it("fails with one line without a node key, with a bad one, or a bad validity", async () => {
      const { addresses } = await loadFixture(tasksFixture);
      await expectTaskError(
        "msn:register-node",
        { account: 2, staking: addresses.staking },
        /no node key: set NODE_PRIVATE_KEY or pass --node-key/,
      );
      await expectTaskError(
        "msn:register-node",
        { nodeKey: "xyz", account: 2, staking: addresses.staking },
        /--node-key is not a 32-byte hex private key/,
      );
      await expectTaskError(
        "msn:register-node",
        {
          nodeKey: ethers.Wallet.createRandom().privateKey,
          validMinutes: 0,
          account: 2,
          staking: addresses.staking,
        },
        /--valid-minutes must be a positive integer/,
      );
    });
  });

  describe("msn:status", () => {
    it("shows active stake, stake at now, the unbonding queue, nodes and the current boost", async () => {
      const { operators, addresses } = await loadFixture(tasksFixture);
      const op = operators[0];
      const node = ethers.Wallet.createRandom();
      await runTask("msn:register-node", {
        nodeKey: node.privateKey,
        account: 2,
        staking: addresses.staking,
      });
      await runTask("msn:stake", { amount: "800", account: 2, ...addresses });
      await runTask("msn:unstake", { amount: "300", account: 2, staking: addresses.staking });
      await time.increase(DEFAULTS.unbondingPeriod);
      await runTask("msn:unstake", { amount: "100", account: 2, staking: addresses.staking });

      const { result, output } = await runTask("msn:status", {
        operator: op.address,
        staking: addresses.staking,
      });
      expect(result.activeStake).to.equal(400n * MSN);
      expect(result.stakeAtNow).to.equal(400n * MSN);
      expect(result.unbonding).to.equal(400n * MSN);
      expect(result.withdrawable).to.equal(300n * MSN);
      expect(result.nodes).to.deep.equal([node.address]);
      expect(result.boostBps).to.equal(14_000n); // 400 of 1,000 MSN for one node: 1 + 0.4
      expect(output).to.contain("active stake    400 MSN");
      expect(output).to.contain("stake at now    400 MSN");
      expect(output).to.match(/#0\s+300 MSN\s+released \S+\s+matured/);
      expect(output).to.match(/#1\s+100 MSN\s+released \S+\s+in 7d 0h/);
      expect(output).to.contain(`nodes           1\n  ${node.address}`);
      expect(output).to.contain("boost now       1.4x for 1 node(s) (max 2x at 1,000 MSN per node)");

      // JSON, for the miner's own account (account index, no --operator).
      const json = await runTask("msn:status", { account: 2, json: true, staking: addresses.staking });
      const parsed = JSON.parse(json.output);
      expect(parsed.operator).to.equal(op.address);
      expect(parsed.unbondingQueue).to.have.length(2);
      expect(parsed.boostBps).to.equal("14000");
    });

    it("fails with one line for a bad --operator, a bad --staking or an address without a contract", async () => {
      const { others } = await loadFixture(tasksFixture);
      await expectTaskError(
        "msn:status",
        { operator: "0x12", staking: others[0].address },
        /--operator is not an address: "0x12"/,
      );
      await expectTaskError(
        "msn:status",
        { account: 2, staking: "nope" },
        /--staking is not an address: "nope"/,
      );
      await expectTaskError(
        "msn:status",
        { account: 2, staking: others[0].address },
        new RegExp(`no contract at MinerStaking address ${others[0].address} on network "hardhat"`),
      );
    });
  });

  describe("helpers", () => {
    const network = "msn-staking-task-test";
    after(() => rmSync(deploymentPath(network), { force: true }));

    it("reads addresses from deployments/<network>.json and explains what is missing", async () => {
      rmSync(deploymentPath(network), { force: true });
      expect(() => resolveContractAddress(network, "MinerStaking", undefined, "staking")).to.throw(
        `no MinerStaking in deployments/${network}.json (file not found); deploy first or pass --staking`,
      );
      mkdirSync(DEPLOYMENTS_DIR, { recursive: true });
      writeFileSync(
        deploymentPath(network),
        JSON.stringify({ contracts: { MSNToken: "0x" + "11".repeat(20) } }),
      );
      expect(() => resolveContractAddress(network, "MinerStaking", undefined, "staking")).to.throw(
        `no MinerStaking in deployments/${network}.json; deploy first or pass --staking`,
      );
      expect(resolveContractAddress(network, "MSNToken", undefined, "token")).to.equal(
        "0x" + "11".repeat(20),
      );
      writeFileSync(deploymentPath(network), JSON.stringify({ contracts: { MinerStaking: "0xabc" } }));
      expect(() => resolveContractAddress(network, "MinerStaking", undefined, "staking")).to.throw(
        `deployments/${network}.json has an invalid MinerStaking address "0xabc"; pass --staking`,
      );
      writeFileSync(deploymentPath(network), "{ not json");
      expect(() => resolveContractAddress(network, "MinerStaking", undefined, "staking")).to.throw(
        new RegExp(`cannot read deployments/${network}.json: .*; fix it or pass --staking`),
      );
    });

    it("decodes a custom-error revert into one line", async () => {
      const { staking, operators } = await loadFixture(tasksFixture);
      let error: unknown;
      try {
        await staking.connect(operators[0]).requestUnstake(5n);
      } catch (e) {
        error = e;
      }
      expect(describeError(error, [staking])).to.equal(
        `StakingInsufficientActiveStake(${operators[0].address}, 0, 5)`,
      );
      const data = staking.interface.encodeErrorResult("StakingZeroAmount", []);
      expect(describeError({ data }, [staking])).to.equal("StakingZeroAmount()");
      expect(describeError(new Error("boom\nsecond line"), [staking])).to.equal("boom");
    });

    it("formats and parses amounts exactly", () => {
      expect(formatMsn(1_234_567_500_000_000_000_000_000n)).to.equal("1,234,567.5 MSN");
      expect(formatMsn(1n)).to.equal("0.000000000000000001 MSN");
      expect(formatBoost(20_000n)).to.equal("2x");
      expect(formatBoost(12_345n)).to.equal("1.2345x");
      expect(parseMsnAmount(" 0.5 ")).to.equal(MSN / 2n);
    });
  });
});
