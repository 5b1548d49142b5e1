import { expect } from "chai";
import { readFileSync } from "node:fs";
import hre, { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";

import { DEFAULT_CONFIG_FILE } from "../shared/tokenVestingFixture";
import { loadAllocationConfig, validateAllocationConfig } from "../../scripts/lib/allocationConfig";
import { deploySystem } from "../../scripts/lib/deploySystem";
import { ProtocolConfigError, validateProtocolConfig } from "../../scripts/lib/protocolConfig";

type Raw = Record<string, any>;
const rawDefault = (): Raw => JSON.parse(readFileSync(DEFAULT_CONFIG_FILE, "utf8"));

async function systemFixture() {
  return deploySystem(hre, loadAllocationConfig(DEFAULT_CONFIG_FILE));
}

describe("protocol deployment (staking, distributor, emission wired by deploySystem)", () => {
  describe("wiring", () => {
    it("makes the EmissionMinter the token's only minter, minting to the distributor", async () => {
      const { token, minter, distributor } = await loadFixture(systemFixture);
      expect(await token.minter()).to.equal(await minter.getAddress());
      expect(await token.minterAdmin()).to.equal(ethers.ZeroAddress);
      expect(await minter.RECIPIENT()).to.equal(await distributor.getAddress());
      expect(await distributor.emissionMinter()).to.equal(await minter.getAddress());
      expect(await distributor.STAKING()).to.equal(
        await (await loadFixture(systemFixture)).staking.getAddress(),
      );
    });

    it("uses the SPEC defaults for epochs, unbonding, boost, slashing, oracles and the challenge window", async () => {
      const { minter, staking, distributor, record, ctx } = await loadFixture(systemFixture);
      const { config } = ctx;
      expect(await minter.EPOCH_LENGTH()).to.equal(86_400n);
      expect(await minter.GENESIS_TIME()).to.equal(BigInt(record.params.genesisTime));
      expect(await staking.unbondingPeriod()).to.equal(7n * 86_400n);
      const [maxBoost, full] = await staking.boostParams();
      expect([maxBoost, full]).to.deep.equal([20_000n, ethers.parseEther("1000")]);
      expect(await staking.maxSlashBps()).to.equal(5_000n);
      expect(await distributor.threshold()).to.equal(1n);
      expect(await distributor.challengeWindow()).to.equal(6n * 3_600n);
      expect(await distributor.oracles()).to.deep.equal([config.roles.oracle]);
    });

    it("hands every role to governance, the guardian and the slasher and leaves the deployer none", async () => {
      const { staking, distributor, ctx } = await loadFixture(systemFixture);
      const { config } = ctx;
      const me = ctx.deployer.address;
      const ADMIN = await staking.DEFAULT_ADMIN_ROLE();
      expect(await staking.hasRole(ADMIN, config.roles.governance)).to.equal(true);
      expect(await staking.hasRole(await staking.SLASHER_ROLE(), config.roles.governance)).to.equal(true);
      expect(await distributor.hasRole(ADMIN, config.roles.governance)).to.equal(true);
      expect(await distributor.hasRole(await distributor.GUARDIAN_ROLE(), config.roles.guardian)).to.equal(
        true,
      );
      for (const c of [staking, distributor]) expect(await c.hasRole(ADMIN, me)).to.equal(false);
      expect(await staking.hasRole(await staking.SLASHER_ROLE(), me)).to.equal(false);
    });

    it("records every contract, role and parameter in the deployment record", async () => {
      const { record, staking, distributor, minter, ctx } = await loadFixture(systemFixture);
      expect(record.contracts.MinerStaking).to.equal(await staking.getAddress());
      expect(record.contracts.RewardsDistributor).to.equal(await distributor.getAddress());
      expect(record.contracts.EmissionMinter).to.equal(await minter.getAddress());
      expect(record.params.epochLength).to.equal(86_400);
      expect(record.params.challengeWindow).to.equal(21_600);
      expect(record.roles.guardian).to.equal(ctx.config.roles.guardian);
      expect(record.roles.oracle0).to.equal(ctx.config.roles.oracle);
      expect(record.roles.tokenMinter).to.equal(await minter.getAddress());
    });

    it("mints the first epoch's emission to the distributor once it ends", async () => {
      const { minter, distributor, token } = await loadFixture(systemFixture);
      const start = await minter.GENESIS_TIME();
      await hre.network.provider.send("evm_setNextBlockTimestamp", [Number(start + 86_400n)]);
      await minter.mint();
      const due = await minter.epochEmission(0);
      expect(due).to.be.greaterThan(0n);
      expect(await token.balanceOf(await distributor.getAddress())).to.equal(due);
      expect(await distributor.funded()).to.equal(due);
    });
  });

  describe("config checks (before any transaction)", () => {
    const check = (mutate: (raw: Raw) => void) => {
      const raw = rawDefault();
      mutate(raw);
      return () => validateProtocolConfig(validateAllocationConfig(raw));
    };

    it("accepts the default config", () => {
      expect(check(() => undefined)()).to.have.nested.property("emission.epochLength", 86_400);
    });

    it("rejects an epoch length that does not divide 365 days (7 days)", () => {
      expect(check((r) => (r.emission.epochLengthSeconds = 7 * 86_400))).to.throw(
        ProtocolConfigError,
        "does not divide 365 days",
      );
    });

    it("rejects an unbonding period shorter than the challenge window plus one epoch", () => {
      expect(check((r) => (r.staking.unbondingPeriodSeconds = 86_400))).to.throw(
        ProtocolConfigError,
        "shorter than the challenge window plus one epoch",
      );
    });

    it("rejects a missing oracle set, a duplicate oracle and a threshold above the set", () => {
      expect(check((r) => delete r.rewards.oracles)).to.throw(ProtocolConfigError, "rewards.oracles must be");
      expect(check((r) => r.rewards.oracles.push("role:oracle"))).to.throw(
        ProtocolConfigError,
        "duplicate oracle",
      );
      expect(check((r) => (r.rewards.threshold = 2))).to.throw(ProtocolConfigError, "rewards.threshold");
    });

    it("rejects unknown sections, unknown fields, unknown roles and zero addresses", () => {
      expect(check((r) => (r.emisson = {}))).to.throw(
        ProtocolConfigError,
        'unknown top-level section "emisson"',
      );
      expect(check((r) => (r.staking.maxBost = 1))).to.throw(ProtocolConfigError, 'unknown field "maxBost"');
      expect(check((r) => (r.rewards.guardian = "role:nobody"))).to.throw(
        ProtocolConfigError,
        'unknown role "nobody"',
      );
      expect(check((r) => (r.staking.treasury = ethers.ZeroAddress))).to.throw(
        ProtocolConfigError,
        "zero address",
      );
    });

    it("rejects out-of-range boost, slash and stake parameters", () => {
      expect(check((r) => (r.staking.maxBoostBps = 9_999))).to.throw(
        ProtocolConfigError,
        "staking.maxBoostBps",
      );
      expect(check((r) => (r.staking.maxSlashBps = 10_001))).to.throw(
        ProtocolConfigError,
        "staking.maxSlashBps",
      );
      expect(check((r) => (r.staking.fullStakePerNode = "0"))).to.throw(ProtocolConfigError, "is 0");
      expect(check((r) => (r.staking.fullStakePerNode = 5))).to.throw(ProtocolConfigError, "MSN amount");
    });

    it("stops deploySystem before the first transaction", async () => {
      const raw = rawDefault();
      raw.emission.epochLengthSeconds = 7 * 86_400;
      const nonce = await (await ethers.getSigners())[0].getNonce();
      await expect(deploySystem(hre, validateAllocationConfig(raw))).to.be.rejectedWith(ProtocolConfigError);
      expect(await (await ethers.getSigners())[0].getNonce()).to.equal(nonce);
    });
  });
});
