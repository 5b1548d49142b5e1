import { readFileSync } from "node:fs";
import { expect } from "chai";
import hre, { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";

import {
  configHash,
  validateAllocationConfig,
  type AirdropAllocation,
  type VestingAllocation,
} from "../../scripts/lib/allocationConfig";
import { DeployCheckError, deploySystem } from "../../scripts/lib/deploySystem";
import { readDeployment } from "../../scripts/lib/deployments";
import { DAY, DEFAULT_CONFIG_FILE, genesisFixture, MONTH, MSN } from "../shared/tokenVestingFixture";

describe("genesis deployment (scripts/lib/deploySystem, default config)", () => {
  it("mints each allocation straight to its recipient, 100,000,000 MSN in all", async () => {
    const { token, vault, airdrop, config } = await loadFixture(genesisFixture);
    const receipt = await token.deploymentTransaction()!.wait();
    const mints = receipt!.logs
      .map((l) => token.interface.parseLog(l))
      .filter((e) => e?.name === "Transfer")
      .map((e) => [e!.args.to, e!.args.value]);
    const expected = config.allocations.map((a) => [
      a.kind === "vesting" ? vault.target : a.kind === "airdrop" ? airdrop.target : a.recipient,
      a.amount,
    ]);
    expect(mints).to.deep.equal(expected);
    expect(await token.totalSupply()).to.equal(MSN(100_000_000));
  });

  it("leaves every allocation's balance in the right place", async () => {
    const { token, vault, airdrop, config, grants } = await loadFixture(genesisFixture);
    expect(await token.balanceOf(config.roles.publicSale)).to.equal(MSN(5_000_000));
    expect(await token.balanceOf(airdrop.target)).to.equal(MSN(1_000_000));
    expect(await vault.unallocated()).to.equal(0n);
    const vestingIds = ["privateSale", "ecosystem", "foundation", "team", "partners"];
    const amounts: Record<string, bigint> = {};
    for (const g of grants) amounts[g.allocation] = (amounts[g.allocation] ?? 0n) + g.amount;
    expect(amounts).to.deep.equal({
      privateSale: MSN(26_000_000),
      ecosystem: MSN(27_000_000),
      foundation: MSN(20_000_000),
      team: MSN(15_000_000),
      partners: MSN(6_000_000),
    });
    for (const id of vestingIds) {
      const allocation = config.allocations.find((a) => a.id === id) as VestingAllocation;
      expect(grants.filter((g) => g.allocation === id)).to.have.length(allocation.grants.length);
    }
    // Every beneficiary in the default config has one grant, so each escrow holds exactly that grant.
    for (const g of grants) {
      expect(await token.balanceOf(g.escrow)).to.equal(g.amount);
      expect(await token.balanceOf(g.beneficiary)).to.equal(0n);
      const stored = await vault.grants(g.id);
      expect([
        stored.beneficiary,
        stored.amount,
        stored.start,
        stored.cliff,
        stored.duration,
        stored.revocable,
      ]).to.deep.equal([
        g.beneficiary,
        g.amount,
        BigInt(g.start),
        BigInt(g.cliff),
        BigInt(g.duration),
        g.revocable,
      ]);
    }
  });

  it("reports every row of the allocation table as checked", async () => {
    const { rows } = await loadFixture(genesisFixture);
    expect(rows.map((r) => r.allocation)).to.deep.equal([
      "Private sale",
      "Public sale",
      "Ecosystem",
      "Foundation",
      "Technical team",
      "Partners",
      "Testnet",
    ]);
    expect(rows.every((r) => r.ok && r.check.startsWith("ok"))).to.equal(true);
  });

  it("hands the vault to governance and keeps the deployer as the token's minter admin", async () => {
    const { token, vault, airdrop, config, ctx, airdropDeadline } = await loadFixture(genesisFixture);
    const deployer = ctx.deployer.address;
    expect(await token.minterAdmin()).to.equal(deployer);
    expect(await token.minter()).to.equal(ethers.ZeroAddress);
    expect(await vault.hasRole(await vault.GRANTOR_ROLE(), deployer)).to.equal(false);
    for (const role of [
      await vault.DEFAULT_ADMIN_ROLE(),
      await vault.GRANTOR_ROLE(),
      await vault.REVOKER_ROLE(),
    ]) {
      expect(await vault.hasRole(role, config.roles.governance)).to.equal(true);
    }
    expect(await vault.treasury()).to.equal(config.roles.foundationTreasury);
    expect(await airdrop.TREASURY()).to.equal(config.roles.ecosystemTreasury);
    expect(await airdrop.DEADLINE()).to.equal(airdropDeadline);
    expect(airdropDeadline).to.equal(ctx.genesisTime + 90 * DAY);
  });

  it("builds the deployments record: addresses, first block, config hash, roles, params, grants", async () => {
    const { token, vault, airdrop, record, ctx, grants } = await loadFixture(genesisFixture);
    const raw = JSON.parse(readFileSync(DEFAULT_CONFIG_FILE, "utf8"));
    expect(record.contracts).to.deep.equal({
      MSNToken: token.target,
      VestingVault: vault.target,
      TestnetAirdrop: airdrop.target,
    });
    expect(record.deploymentBlock).to.equal((await token.deploymentTransaction()!.wait())!.blockNumber);
    expect(record.configHash).to.equal(configHash(raw));
    expect(record.network).to.equal("hardhat");
    expect(record.chainId).to.equal(31337);
    expect(record.roles.tokenMinterAdmin).to.equal(ctx.deployer.address);
    expect(record.roles.governance).to.equal(raw.roles.governance);
    expect(record.params.genesisTime).to.equal(ctx.genesisTime);
    expect(record.params.grantCount).to.equal(10);
    expect(record.grants!.map((g) => g.id)).to.deep.equal(grants.map((g) => g.id));
  });

  it("vests the SPEC schedules: 1/3 of a private-sale grant at 12 months, 6/30 of a partner's at 6", async () => {
    const { vault, token, grants, ctx } = await loadFixture(genesisFixture);
    const investor = grants.find((g) => g.allocation === "privateSale")!;
    const partner = grants.find((g) => g.allocation === "partners")!;
    await time.setNextBlockTimestamp(ctx.genesisTime + 12 * MONTH - 1);
    await expect(vault.release(investor.id)).to.be.revertedWithCustomError(vault, "VestingNothingToRelease");
    expect(await vault.vestedAmount(investor.id, ctx.genesisTime + 12 * MONTH)).to.equal(
      investor.amount / 3n,
    );
    expect(await vault.vestedAmount(investor.id, ctx.genesisTime + 36 * MONTH)).to.equal(investor.amount);
    await time.setNextBlockTimestamp(ctx.genesisTime + 12 * MONTH);
    await vault.release(investor.id);
    expect(await token.balanceOf(investor.beneficiary)).to.equal(investor.amount / 3n);
    expect(await vault.vestedAmount(partner.id, ctx.genesisTime + 6 * MONTH)).to.equal(
      (partner.amount * 6n) / 30n,
    );
  });

  it("lets governance revoke a team grant, returning the unvested part to the foundation treasury", async () => {
    const { vault, token, grants, config, ctx } = await loadFixture(genesisFixture);
    const member = grants.find((g) => g.allocation === "team")!;
    const governance = await ethers.getSigner(config.roles.governance);
    const foundationBefore = await token.balanceOf(config.roles.foundationTreasury);
    await time.setNextBlockTimestamp(ctx.genesisTime + 24 * MONTH);
    await vault.connect(governance).revoke(member.id);
    expect(await token.balanceOf(config.roles.foundationTreasury)).to.equal(
      foundationBefore + member.amount / 2n,
    );
    const investor = grants.find((g) => g.allocation === "privateSale")!;
    await expect(vault.connect(governance).revoke(investor.id)).to.be.revertedWithCustomError(
      vault,
      "VestingNotRevocable",
    );
  });

  it("lets a testnet participant claim with a proof from the deployed tree", async () => {
    const { airdrop, token, airdropTree, config } = await loadFixture(genesisFixture);
    const testnet = config.allocations.find((a) => a.kind === "airdrop") as AirdropAllocation;
    const { account, amount } = testnet.recipients![0];
    await airdrop.claim(account, amount, airdropTree!.getProof([account, amount]));
    expect(await token.balanceOf(account)).to.equal(amount);
  });

  it("counts an investor's locked tokens in getVotes once the investor delegates", async () => {
    const { vault, token, grants } = await loadFixture(genesisFixture);
    const investor = grants.find((g) => g.allocation === "privateSale")!;
    await vault.connect(await ethers.getSigner(investor.beneficiary)).delegate(investor.beneficiary);
    expect(await token.getVotes(investor.beneficiary)).to.equal(investor.amount);
  });

  it("keeps the grantor role when the deployer is governance", async () => {
    const [deployer] = await ethers.getSigners();
    const raw = JSON.parse(readFileSync(DEFAULT_CONFIG_FILE, "utf8"));
    raw.roles.governance = deployer.address;
    const { vault } = await deploySystem(hre, validateAllocationConfig(raw));
    expect(await vault.hasRole(await vault.GRANTOR_ROLE(), deployer.address)).to.equal(true);
  });

  it("refuses, before any transaction, a genesis time whose airdrop deadline has passed", async () => {
    const raw = JSON.parse(readFileSync(DEFAULT_CONFIG_FILE, "utf8"));
    raw.genesisTime = (await time.latest()) - 90 * DAY;
    const blockBefore = await ethers.provider.getBlockNumber();
    const deployer = (await ethers.getSigners())[0];
    const nonceBefore = await deployer.getNonce();
    let error: unknown;
    try {
      await deploySystem(hre, validateAllocationConfig(raw));
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(DeployCheckError);
    expect((error as Error).message).to.contain("is not at least one hour after the latest block");
    expect(await ethers.provider.getBlockNumber()).to.equal(blockBefore);
    expect(await deployer.getNonce()).to.equal(nonceBefore);
  });

  it("starts the grants at a fixed genesis time when the config gives one", async () => {
    const raw = JSON.parse(readFileSync(DEFAULT_CONFIG_FILE, "utf8"));
    raw.genesisTime = (await time.latest()) + 30 * DAY;
    const { grants, record } = await deploySystem(hre, validateAllocationConfig(raw));
    expect(grants.every((g) => g.start === raw.genesisTime)).to.equal(true);
    expect(record.params.airdropDeadline).to.equal(raw.genesisTime + 90 * DAY);
  });

  it("writes deployments/<network>.json when asked, readable with readDeployment", async () => {
    const raw = JSON.parse(readFileSync(DEFAULT_CONFIG_FILE, "utf8"));
    const lines: string[] = [];
    const { record, deploymentFile } = await deploySystem(hre, validateAllocationConfig(raw), {
      write: true,
      configFile: "deployments/config/hardhat.json",
      log: (l) => lines.push(l),
    });
    expect(deploymentFile).to.match(/deployments[/\\]hardhat\.json$/);
    expect(readDeployment("hardhat")).to.deep.equal(record);
    expect(lines.join("\n")).to.contain("balance check");
  });
});
