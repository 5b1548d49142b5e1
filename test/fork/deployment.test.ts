/**
 * Fork suite, part 1: the deployed wiring, read from the chain and compared with the deployments file and
 * with the config file it names. Read-only: nothing here sends a transaction.
 */
import path from "node:path";
import { expect } from "chai";
import { Contract, ZeroAddress, ZeroHash } from "ethers";

import {
  type AllocationConfig,
  DAY_SECONDS,
  GENESIS_SUPPLY,
  loadAllocationConfig,
  MONTH_SECONDS,
} from "../../scripts/lib/allocationConfig";
import { grantId } from "../../scripts/lib/deploySystem";
import type { DeploymentRecord } from "../../scripts/lib/deployments";
import { type ProtocolConfig, validateProtocolConfig } from "../../scripts/lib/protocolConfig";
import {
  events,
  expectInvariants,
  type ForkContext,
  forkContext,
  ForkSetupError,
  MSN,
  ROOT_DIR,
} from "../shared/forkFixture";

const TOTAL_EMISSION = 27_500_000n * MSN;
const MAX_SUPPLY = 127_500_000n * MSN;
const YEAR = 365n * 86_400n;

/** A value of the record's `params`, as a bigint (they are stored as numbers or decimal strings). */
const param = (record: DeploymentRecord, name: string): bigint => {
  const v = record.params[name];
  if (v === undefined) throw new Error(`the deployments file has no params.${name}`);
  return BigInt(v);
};
const lower = (xs: string[]) => xs.map((x) => x.toLowerCase()).sort();

describe("fork: deployed wiring (chain vs deployments file vs config)", () => {
  let ctx: ForkContext;
  let record: DeploymentRecord;
  let config: AllocationConfig;
  let protocol: ProtocolConfig;
  let configFile: string;
  /** Vesting time zero and emission time zero, as the config resolves them for this deployment. */
  let genesisTime: bigint;
  let emissionGenesisTime: bigint;

  before(async () => {
    ctx = await forkContext();
    record = ctx.target.record;
    if (!ctx.target.inputs.configFile && !record.configFile) {
      throw new ForkSetupError("the deployments file names no configFile; set FORK_CONFIG=<config file>");
    }
    configFile = ctx.target.inputs.configFile ?? path.resolve(ROOT_DIR, record.configFile);
    config = loadAllocationConfig(configFile);
    protocol = validateProtocolConfig(config, configFile);
    genesisTime =
      config.genesisTime === "deployment" ? param(record, "genesisTime") : BigInt(config.genesisTime);
    emissionGenesisTime =
      protocol.emission.genesisTime === "genesis" ? genesisTime : BigInt(protocol.emission.genesisTime);
  });

  describe("deployments file and config", () => {
    it("was deployed from the config file it names: its configHash is the hash recomputed from that file", () => {
      expect(record.configHash, `configHash of ${path.relative(ROOT_DIR, configFile)}`).to.equal(
        config.configHash,
      );
    });

    it("records the roles the config names", () => {
      const r = record.roles;
      for (const [name, address] of Object.entries(config.roles))
        expect(r[name], `roles.${name}`).to.equal(address);
      expect(r.vaultAdmin, "roles.vaultAdmin").to.equal(config.roles.governance);
      expect(r.vaultGrantor, "roles.vaultGrantor").to.equal(config.roles.governance);
      expect(r.vaultRevoker, "roles.vaultRevoker").to.equal(config.roles.governance);
      expect(r.vaultTreasury, "roles.vaultTreasury").to.equal(config.roles.foundationTreasury);
      expect(r.airdropTreasury, "roles.airdropTreasury").to.equal(config.roles.ecosystemTreasury);
      expect(r.stakingAdmin, "roles.stakingAdmin").to.equal(protocol.staking.admin);
      expect(r.slasher, "roles.slasher").to.equal(protocol.staking.slasher);
      expect(r.stakingTreasury, "roles.stakingTreasury").to.equal(protocol.staking.treasury);
      expect(r.rewardsAdmin, "roles.rewardsAdmin").to.equal(protocol.rewards.admin);
      expect(r.guardian, "roles.guardian").to.equal(protocol.rewards.guardian);
      expect(r.tokenMinter, "roles.tokenMinter").to.equal(record.contracts.EmissionMinter);
      expect(r.deployer, "roles.deployer").to.equal(record.deployer);
      const oracles = Object.keys(r)
        .filter((k) => /^oracle\d+$/.test(k))
        .sort((a, b) => Number(a.slice(6)) - Number(b.slice(6)))
        .map((k) => r[k]);
      expect(oracles, "roles.oracle<i>").to.deep.equal(protocol.rewards.oracles);
    });

    it("records the parameters the config resolves to", async () => {
      const airdrop = config.allocations.find((a) => a.kind === "airdrop")!;
      const expected: Record<string, bigint | string> = {
        genesisTime,
        genesisSupply: GENESIS_SUPPLY,
        maxSupply: MAX_SUPPLY,
        vestingMonthSeconds: BigInt(MONTH_SECONDS),
        airdropClaimPeriodDays: BigInt(airdrop.claimPeriodDays),
        airdropDeadline: genesisTime + BigInt(airdrop.claimPeriodDays * DAY_SECONDS),
        grantCount: BigInt(
          config.allocations.reduce((n, a) => n + (a.kind === "vesting" ? a.grants.length : 0), 0),
        ),
        emissionGenesisTime,
        epochLength: BigInt(protocol.emission.epochLength),
        unbondingPeriod: BigInt(protocol.staking.unbondingPeriod),
        maxBoostBps: BigInt(protocol.staking.maxBoostBps),
        fullStakePerNode: protocol.staking.fullStakePerNode,
        maxSlashBps: BigInt(protocol.staking.maxSlashBps),
        oracleThreshold: BigInt(protocol.rewards.threshold),
        oracleCount: BigInt(protocol.rewards.oracles.length),
        challengeWindow: BigInt(protocol.rewards.challengeWindow),
      };
      for (const [name, value] of Object.entries(expected))
        expect(param(record, name), `params.${name}`).to.equal(value);
      expect(record.params.airdropMerkleRoot, "params.airdropMerkleRoot").to.equal(airdrop.merkleRoot);
      if (config.genesisTime === "deployment") {
        // "deployment" resolves to the latest block's time when the deploy starts: at or before the first
        // deployment block.
        const block = await ctx.upstream.getBlock(record.deploymentBlock);
        expect(genesisTime, "genesisTime <= timestamp of the deployment block").to.be.at.most(
          BigInt(block!.timestamp),
        );
      }
    });

    it("records the vesting grants the config lists, in config order", () => {
      const expected = [];
      for (const a of config.allocations) {
        if (a.kind !== "vesting") continue;
        for (const g of a.grants) {
          const start = Number(genesisTime) + g.startOffset;
          expected.push({
            id: grantId(g, start),
            allocation: a.id,
            beneficiary: g.beneficiary,
            amount: g.amount.toString(),
            start,
            cliff: g.cliff,
            duration: g.duration,
            revocable: g.revocable,
          });
        }
      }
      const recorded = (record.grants ?? []).map(({ escrow: _escrow, ...g }) => g);
      expect(recorded, "grants").to.deep.equal(expected);
    });
  });

  describe("MSNToken", () => {
    it("is Meson Network / MSN with 18 decimals, a 100,000,000 genesis and a 127,500,000 cap", async () => {
      const { token } = ctx;
      expect(await token.name()).to.equal("Meson Network");
      expect(await token.symbol()).to.equal("MSN");
      expect(await token.decimals()).to.equal(18n);
      expect(await token.GENESIS_SUPPLY()).to.equal(GENESIS_SUPPLY);
      expect(await token.MAX_SUPPLY()).to.equal(MAX_SUPPLY);
      expect(await token.MAX_SUPPLY(), "params.maxSupply").to.equal(param(record, "maxSupply"));
    });

    it("has the EmissionMinter as its only minter and no minter admin left", async () => {
      expect(await ctx.token.minter()).to.equal(record.contracts.EmissionMinter);
      expect(await ctx.token.minterAdmin()).to.equal(ZeroAddress);
      const set = await events(ctx, ctx.token, "MinterSet");
      expect(set.map((e) => e.args.minter)).to.deep.equal([record.contracts.EmissionMinter]);
    });

    it("minted the genesis in the deployment block to exactly the config's allocation recipients", async () => {
      const want = new Map<string, bigint>();
      const add = (a: string, v: bigint) => want.set(a, (want.get(a) ?? 0n) + v);
      for (const a of config.allocations) {
        if (a.kind === "unlocked") add(a.recipient, a.amount);
        else if (a.kind === "airdrop") add(record.contracts.TestnetAirdrop, a.amount);
        else add(record.contracts.VestingVault, a.amount);
      }
      const mints = (await events(ctx, ctx.token, "Transfer")).filter((e) => e.args.from === ZeroAddress);
      const genesis = mints.filter((e) => e.blockNumber === record.deploymentBlock);
      const got = new Map<string, bigint>();
      for (const e of genesis) got.set(e.args.to, (got.get(e.args.to) ?? 0n) + (e.args.value as bigint));
      expect(Object.fromEntries(got), "genesis mints by recipient").to.deep.equal(Object.fromEntries(want));
      expect([...got.values()].reduce((s, v) => s + v, 0n)).to.equal(GENESIS_SUPPLY);
      // Every later mint is the EmissionMinter's, to the distributor.
      for (const e of mints.filter((m) => m.blockNumber !== record.deploymentBlock)) {
        expect(e.args.to, `mint in block ${e.blockNumber}`).to.equal(record.contracts.RewardsDistributor);
      }
    });

    it("paid every unlocked allocation's recipient in full at the deployment block (archive read)", async function () {
      const reader = new Contract(
        record.contracts.MSNToken,
        ["function balanceOf(address) view returns (uint256)"],
        ctx.upstream,
      );
      const unlocked = new Map<string, bigint>();
      for (const a of config.allocations) {
        if (a.kind === "unlocked") unlocked.set(a.recipient, (unlocked.get(a.recipient) ?? 0n) + a.amount);
      }
      for (const [recipient, amount] of unlocked) {
        let balance: bigint;
        try {
          balance = await reader.balanceOf(recipient, { blockTag: record.deploymentBlock });
        } catch (e) {
          // Only a non-archive node lands here; the genesis Transfer events above prove the same payment.
          console.log(
            `      (no state at block ${record.deploymentBlock} on this node: ${(e as Error).message.slice(0, 80)})`,
          );
          this.skip();
        }
        expect(balance!, `balance of ${recipient} at block ${record.deploymentBlock}`).to.equal(amount);
      }
    });

    it("holds its total supply at the genesis plus everything the EmissionMinter minted", async () => {
      expect(await ctx.token.totalSupply()).to.equal(GENESIS_SUPPLY + (await ctx.minter.totalMinted()));
    });
  });

  describe("VestingVault", () => {
    it("stores every recorded grant as recorded: beneficiary, amount, start, cliff, duration, revocable, escrow", async () => {
      const { vault } = ctx;
      expect(await vault.TOKEN()).to.equal(record.contracts.MSNToken);
      expect(await vault.ESCROW_IMPLEMENTATION()).to.equal(record.params.vestingEscrowImplementation);
      expect(await vault.treasury()).to.equal(record.roles.vaultTreasury);
      const created = new Map(
        (await events(ctx, vault, "GrantCreated")).map((e) => [e.args.grantId as string, e]),
      );
      for (const g of record.grants ?? []) {
        const s = await vault.grants(g.id);
        const what = `grant ${g.id.slice(0, 10)} (${g.allocation}, ${g.beneficiary})`;
        expect(
          {
            beneficiary: s.beneficiary,
            amount: s.amount,
            start: Number(s.start),
            cliff: Number(s.cliff),
            duration: Number(s.duration),
            revocable: s.revocable,
          },
          what,
        ).to.deep.equal({
          beneficiary: g.beneficiary,
          amount: BigInt(g.amount),
          start: g.start,
          cliff: g.cliff,
          duration: g.duration,
          revocable: g.revocable,
        });
        expect(await vault.grantIdOf(g.beneficiary, g.amount, g.start, g.cliff, g.duration), what).to.equal(
          g.id,
        );
        expect(await vault.escrowOf(g.beneficiary), `${what} escrow`).to.equal(g.escrow);
        expect(await ctx.upstream.getCode(g.escrow), `${what} escrow code`).to.not.equal("0x");
        expect(created.get(g.id)?.blockNumber, `${what} GrantCreated event`).to.be.a("number");
      }
    });

    it("accounts for every granted token: escrow balances plus releases plus revoked parts", async () => {
      const { vault, token } = ctx;
      const created = await events(ctx, vault, "GrantCreated");
      const released = new Map<string, bigint>();
      for (const e of await events(ctx, vault, "Released")) {
        released.set(e.args.grantId, (released.get(e.args.grantId) ?? 0n) + (e.args.amount as bigint));
      }
      const revoked = new Map<string, bigint>();
      for (const e of await events(ctx, vault, "GrantRevoked")) revoked.set(e.args.grantId, e.args.unvested);
      const outstanding = new Map<string, bigint>();
      for (const e of created) {
        const id = e.args.grantId as string;
        const s = await vault.grants(id);
        expect(s.released, `released of grant ${id.slice(0, 10)} == sum of its Released events`).to.equal(
          released.get(id) ?? 0n,
        );
        const left = s.amount - s.released - (revoked.get(id) ?? 0n);
        const escrow = await vault.escrowOf(e.args.beneficiary);
        outstanding.set(escrow, (outstanding.get(escrow) ?? 0n) + left);
      }
      for (const [escrow, left] of outstanding) {
        expect(await token.balanceOf(escrow), `balance of escrow ${escrow}`).to.equal(left);
      }
    });

    it("keeps exactly the vesting allocations not yet granted", async () => {
      const vesting = config.allocations.reduce((s, a) => s + (a.kind === "vesting" ? a.amount : 0n), 0n);
      const granted = (await events(ctx, ctx.vault, "GrantCreated")).reduce(
        (s, e) => s + (e.args.amount as bigint),
        0n,
      );
      expect(await ctx.vault.unallocated(), "unallocated()").to.equal(vesting - granted);
      expect(await ctx.token.balanceOf(record.contracts.VestingVault), "vault balance").to.equal(
        vesting - granted,
      );
    });
  });

  describe("TestnetAirdrop", () => {
    it("has the recorded token, Merkle root, deadline and treasury", async () => {
      const { airdrop } = ctx;
      expect(await airdrop.TOKEN()).to.equal(record.contracts.MSNToken);
      expect(await airdrop.MERKLE_ROOT()).to.equal(record.params.airdropMerkleRoot);
      expect(await airdrop.DEADLINE()).to.equal(param(record, "airdropDeadline"));
      expect(await airdrop.TREASURY()).to.equal(record.roles.airdropTreasury);
    });

    it("accounts for its allocation: balance plus claims plus sweeps", async () => {
      const allocation = config.allocations.find((a) => a.kind === "airdrop")!.amount;
      const claimed = (await events(ctx, ctx.airdrop, "Claimed")).reduce(
        (s, e) => s + (e.args.amount as bigint),
        0n,
      );
      const swept = (await events(ctx, ctx.airdrop, "Swept")).reduce(
        (s, e) => s + (e.args.amount as bigint),
        0n,
      );
      const balance = await ctx.token.balanceOf(record.contracts.TestnetAirdrop);
      expect(balance + claimed + swept, "balance + Claimed + Swept").to.equal(allocation);
    });
  });

  describe("EmissionMinter", () => {
    it("mints MSN to the RewardsDistributor from the configured genesis time, in epochs of the configured length", async () => {
      const { minter } = ctx;
      expect(await minter.TOKEN()).to.equal(record.contracts.MSNToken);
      expect(await minter.RECIPIENT()).to.equal(record.contracts.RewardsDistributor);
      expect(await minter.GENESIS_TIME()).to.equal(emissionGenesisTime);
      expect(await minter.EPOCH_LENGTH()).to.equal(BigInt(protocol.emission.epochLength));
      expect(await minter.YEAR()).to.equal(YEAR);
      expect(await minter.TOTAL_EMISSION()).to.equal(TOTAL_EMISSION);
      expect(await minter.EMISSION_EPOCHS()).to.equal((10n * YEAR) / BigInt(protocol.emission.epochLength));
      expect(GENESIS_SUPPLY + TOTAL_EMISSION, "genesis + emission == cap").to.equal(
        await ctx.token.MAX_SUPPLY(),
      );
    });

    it("has minted exactly the schedule's emission through its cursor, as its events add up to", async () => {
      const { minter } = ctx;
      const through = await minter.mintedThroughEpoch();
      const total = await minter.totalMinted();
      expect(through, "mintedThroughEpoch <= endedEpochs").to.be.at.most(await minter.endedEpochs());
      expect(total, "totalMinted == emitted(epochStart(mintedThroughEpoch))").to.equal(
        await minter.emitted(await minter.epochStart(through)),
      );
      const minted = await events(ctx, minter, "EmissionMinted");
      expect(
        minted.reduce((s, e) => s + (e.args.amount as bigint), 0n),
        "sum of EmissionMinted",
      ).to.equal(total);
      let cursor = 0n;
      for (const e of minted) {
        expect(
          e.args.fromEpoch,
          `EmissionMinted in block ${e.blockNumber} starts where the last ended`,
        ).to.equal(cursor);
        expect(e.args.recipient).to.equal(record.contracts.RewardsDistributor);
        cursor = e.args.toEpoch;
      }
      expect(cursor, "the last EmissionMinted ends at mintedThroughEpoch").to.equal(through);
    });
  });

  describe("MinerStaking", () => {
    it("stakes MSN with the configured unbonding period, boost, slash cap and treasury", async () => {
      const { staking } = ctx;
      expect(await staking.TOKEN()).to.equal(record.contracts.MSNToken);
      expect(await staking.unbondingPeriod(), "unbondingPeriod").to.equal(
        BigInt(protocol.staking.unbondingPeriod),
      );
      const [maxBoostBps, fullStakePerNode] = await staking.boostParams();
      expect(maxBoostBps, "maxBoostBps").to.equal(BigInt(protocol.staking.maxBoostBps));
      expect(fullStakePerNode, "fullStakePerNode").to.equal(protocol.staking.fullStakePerNode);
      expect(await staking.maxSlashBps(), "maxSlashBps").to.equal(BigInt(protocol.staking.maxSlashBps));
      expect(await staking.treasury(), "treasury").to.equal(protocol.staking.treasury);
    });

    it("keeps the unbonding period at least the challenge window plus one epoch (SPEC §4)", async () => {
      expect(await ctx.staking.unbondingPeriod()).to.be.at.least(
        (await ctx.distributor.challengeWindow()) + (await ctx.minter.EPOCH_LENGTH()),
      );
    });
  });

  describe("RewardsDistributor", () => {
    it("pays MSN, stakes into MinerStaking (unlimited allowance) and is funded by the EmissionMinter", async () => {
      const { distributor, token } = ctx;
      expect(await distributor.TOKEN()).to.equal(record.contracts.MSNToken);
      expect(await distributor.STAKING()).to.equal(record.contracts.MinerStaking);
      expect(await distributor.emissionMinter()).to.equal(record.contracts.EmissionMinter);
      expect(
        await token.allowance(ctx.target.contracts.RewardsDistributor, ctx.target.contracts.MinerStaking),
        "allowance to MinerStaking",
      ).to.equal(2n ** 256n - 1n);
      const deposited = (await events(ctx, distributor, "Funded")).reduce(
        (s, e) => s + (e.args.amount as bigint),
        0n,
      );
      expect(await distributor.deposited(), "deposited() == sum of Funded").to.equal(deposited);
      expect(await distributor.funded(), "funded() == totalMinted + deposited").to.equal(
        (await ctx.minter.totalMinted()) + deposited,
      );
    });

    it("has the configured oracle set, threshold and challenge window", async () => {
      const { distributor } = ctx;
      expect(lower(await distributor.oracles()), "oracles()").to.deep.equal(lower(protocol.rewards.oracles));
      expect(await distributor.threshold(), "threshold").to.equal(BigInt(protocol.rewards.threshold));
      expect(await distributor.challengeWindow(), "challengeWindow").to.equal(
        BigInt(protocol.rewards.challengeWindow),
      );
    });

    it("has a consistent root queue: accepted roots within the proposed ones, totals within funding", async () => {
      const { distributor } = ctx;
      const next = await distributor.nextEpochToPropose();
      const accepted = await distributor.nextEpochToAccept();
      expect(accepted, "nextEpochToAccept <= nextEpochToPropose").to.be.at.most(next);
      if (next > 0n) {
        const last = await distributor.epochRoot(next - 1n);
        expect(last.total, "the latest proposed total <= funded()").to.be.at.most(await distributor.funded());
      }
      if (accepted > 0n) {
        const [epoch, root] = await distributor.currentRoot();
        if (!(await distributor.paused())) {
          expect(epoch, "current root's epoch").to.equal(accepted - 1n);
          expect(root, "current root").to.equal((await distributor.epochRoot(epoch)).root);
        }
      } else {
        expect((await distributor.currentRoot())[1], "no root accepted yet").to.equal(ZeroHash);
      }
    });
  });

  describe("roles", () => {
    /** Role holders replayed from RoleGranted / RoleRevoked since the deployment block. */
    async function holders(
      contract: ForkContext["vault"] | ForkContext["staking"] | ForkContext["distributor"],
    ) {
      const byRole = new Map<string, Set<string>>();
      for (const e of await events(ctx, contract)) {
        if (e.name !== "RoleGranted" && e.name !== "RoleRevoked") continue;
        const set = byRole.get(e.args.role) ?? new Set<string>();
        if (e.name === "RoleGranted") set.add(e.args.account);
        else set.delete(e.args.account);
        byRole.set(e.args.role, set);
      }
      return byRole;
    }

    it("gives each role to exactly the holders the deployments file names (replayed from role events)", async () => {
      const { vault, staking, distributor } = ctx;
      const r = record.roles;
      const ADMIN = ZeroHash;
      const expected: [
        string,
        typeof vault | typeof staking | typeof distributor,
        Record<string, [string, string]>,
      ][] = [
        [
          "VestingVault",
          vault,
          {
            [ADMIN]: ["DEFAULT_ADMIN_ROLE", r.vaultAdmin],
            [await vault.GRANTOR_ROLE()]: ["GRANTOR_ROLE", r.vaultGrantor],
            [await vault.REVOKER_ROLE()]: ["REVOKER_ROLE", r.vaultRevoker],
          },
        ],
        [
          "MinerStaking",
          staking,
          {
            [ADMIN]: ["DEFAULT_ADMIN_ROLE", r.stakingAdmin],
            [await staking.SLASHER_ROLE()]: ["SLASHER_ROLE", r.slasher],
          },
        ],
        [
          "RewardsDistributor",
          distributor,
          {
            [ADMIN]: ["DEFAULT_ADMIN_ROLE", r.rewardsAdmin],
            [await distributor.GUARDIAN_ROLE()]: ["GUARDIAN_ROLE", r.guardian],
          },
        ],
      ];
      for (const [name, contract, roles] of expected) {
        const replayed = await holders(contract);
        for (const role of replayed.keys()) {
          expect(roles[role], `${name}: role ${role} is not one the deployment grants`).to.not.equal(
            undefined,
          );
        }
        for (const [role, [roleName, holder]] of Object.entries(roles)) {
          const got = [...(replayed.get(role) ?? [])];
          expect(got, `${name} ${roleName} holders`).to.deep.equal([holder]);
          expect(await contract.hasRole(role, holder), `${name} ${roleName} hasRole(${holder})`).to.equal(
            true,
          );
        }
      }
    });

    it("leaves the deployer no role anywhere and no minting rights", async () => {
      const { vault, staking, distributor, token } = ctx;
      const me = record.deployer;
      const named = Object.entries(record.roles)
        .filter(([k, v]) => k !== "deployer" && v === me)
        .map(([k]) => k);
      expect(named, "roles the deployments file gives the deployer").to.deep.equal([]);
      const checks: [string, { hasRole(role: string, account: string): Promise<boolean> }, string][] = [
        ["VestingVault DEFAULT_ADMIN_ROLE", vault, ZeroHash],
        ["VestingVault GRANTOR_ROLE", vault, await vault.GRANTOR_ROLE()],
        ["VestingVault REVOKER_ROLE", vault, await vault.REVOKER_ROLE()],
        ["MinerStaking DEFAULT_ADMIN_ROLE", staking, ZeroHash],
        ["MinerStaking SLASHER_ROLE", staking, await staking.SLASHER_ROLE()],
        ["RewardsDistributor DEFAULT_ADMIN_ROLE", distributor, ZeroHash],
        ["RewardsDistributor GUARDIAN_ROLE", distributor, await distributor.GUARDIAN_ROLE()],
      ];
      for (const [what, contract, role] of checks)
        expect(await contract.hasRole(role, me), `deployer ${what}`).to.equal(false);
      expect(await token.minterAdmin(), "MSNToken minterAdmin").to.equal(ZeroAddress);
      expect(await token.minter(), "MSNToken minter").to.not.equal(me);
    });
  });

  describe("invariants", () => {
    it("the distributor holds funded() minus everything claimed, and staking holds active plus unbonding stake", async () => {
      await expectInvariants(ctx);
    });
  });
});
