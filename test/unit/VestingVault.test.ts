import { expect } from "chai";
import { ethers, network } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import fc from "fast-check";

import type { VestingEscrow, VestingVault } from "../../typechain-types";
import { grantId } from "../../scripts/lib/deploySystem";
import { MONTH, MSN, vaultFixture } from "../shared/tokenVestingFixture";

type Fixture = Awaited<ReturnType<typeof vaultFixture>>;

interface GrantArgs {
  beneficiary: string;
  amount: bigint;
  start: number;
  cliff: number;
  duration: number;
  revocable: boolean;
}

/** The vesting formula of IVestingVault, in TypeScript: the reference the contract is checked against. */
function vestedModel(g: GrantArgs, t: number, revokedAt = 0): bigint {
  if (revokedAt !== 0 && t > revokedAt) t = revokedAt;
  if (t < g.start + g.cliff) return 0n;
  if (t >= g.start + g.duration) return g.amount;
  return (g.amount * BigInt(t - g.start)) / BigInt(g.duration);
}

async function create(f: Fixture, g: GrantArgs): Promise<string> {
  await f.vault
    .connect(f.governance)
    .createGrant(g.beneficiary, g.amount, g.start, g.cliff, g.duration, g.revocable);
  return grantId(g, g.start);
}

/** A non-round amount, so that rounding shows. */
const AMOUNT = MSN(1_000_000) + 7n;

function teamGrant(f: Fixture, overrides: Partial<GrantArgs> = {}): GrantArgs {
  return {
    beneficiary: f.alice.address,
    amount: AMOUNT,
    start: f.now + 1000,
    cliff: 12 * MONTH,
    duration: 48 * MONTH,
    revocable: true,
    ...overrides,
  };
}

describe("VestingVault", () => {
  describe("deployment", () => {
    it("gives governance every role and sets the treasury", async () => {
      const { vault, token, governance, treasury } = await loadFixture(vaultFixture);
      expect(await vault.hasRole(await vault.DEFAULT_ADMIN_ROLE(), governance.address)).to.equal(true);
      expect(await vault.hasRole(await vault.GRANTOR_ROLE(), governance.address)).to.equal(true);
      expect(await vault.hasRole(await vault.REVOKER_ROLE(), governance.address)).to.equal(true);
      expect(await vault.treasury()).to.equal(treasury.address);
      expect(await vault.TOKEN()).to.equal(await token.getAddress());
    });

    it("deploys an escrow implementation bound to the vault and the token", async () => {
      const { vault, token } = await loadFixture(vaultFixture);
      const impl = (await ethers.getContractAt(
        "VestingEscrow",
        await vault.ESCROW_IMPLEMENTATION(),
      )) as unknown as VestingEscrow;
      expect(await impl.VAULT()).to.equal(await vault.getAddress());
      expect(await impl.TOKEN()).to.equal(await token.getAddress());
    });

    it("gives an initial grantor the grantor role only", async () => {
      const [governance, treasury, deployer] = await ethers.getSigners();
      const { token } = await loadFixture(vaultFixture);
      const vault = await ethers.deployContract("VestingVault", [
        await token.getAddress(),
        treasury.address,
        governance.address,
        deployer.address,
      ]);
      expect(await vault.hasRole(await vault.GRANTOR_ROLE(), deployer.address)).to.equal(true);
      expect(await vault.hasRole(await vault.REVOKER_ROLE(), deployer.address)).to.equal(false);
      expect(await vault.hasRole(await vault.DEFAULT_ADMIN_ROLE(), deployer.address)).to.equal(false);
    });

    it("emits TreasurySet from the zero address at deployment", async () => {
      const [governance, treasury] = await ethers.getSigners();
      const { token } = await loadFixture(vaultFixture);
      const factory = await ethers.getContractFactory("VestingVault");
      const vault = await factory.deploy(
        await token.getAddress(),
        treasury.address,
        governance.address,
        ethers.ZeroAddress,
      );
      await expect(vault.deploymentTransaction())
        .to.emit(vault, "TreasurySet")
        .withArgs(ethers.ZeroAddress, treasury.address);
    });

    for (const [what, index] of [
      ["token", 0],
      ["treasury", 1],
      ["governance", 2],
    ] as const) {
      it(`reverts a zero ${what}`, async () => {
        const [governance, treasury] = await ethers.getSigners();
        const { token } = await loadFixture(vaultFixture);
        const args = [await token.getAddress(), treasury.address, governance.address, ethers.ZeroAddress];
        args[index] = ethers.ZeroAddress;
        const factory = await ethers.getContractFactory("VestingVault");
        await expect(
          factory.deploy(...(args as [string, string, string, string])),
        ).to.be.revertedWithCustomError(factory, "VestingZeroAddress");
      });
    }
  });

  describe("createGrant", () => {
    it("stores the grant, deploys the beneficiary's escrow and moves the amount into it", async () => {
      const f = await loadFixture(vaultFixture);
      const g = teamGrant(f);
      const id = grantId(g, g.start);
      const escrow = await f.vault.escrowOf(g.beneficiary);
      expect(await ethers.provider.getCode(escrow)).to.equal("0x");
      await expect(
        f.vault
          .connect(f.governance)
          .createGrant(g.beneficiary, g.amount, g.start, g.cliff, g.duration, g.revocable),
      )
        .to.emit(f.vault, "GrantCreated")
        .withArgs(id, g.beneficiary, g.amount, g.start, g.cliff, g.duration, g.revocable)
        .and.to.emit(f.vault, "EscrowCreated")
        .withArgs(g.beneficiary, escrow)
        .and.to.emit(f.token, "Transfer")
        .withArgs(await f.vault.getAddress(), escrow, g.amount);
      expect(await ethers.provider.getCode(escrow)).to.not.equal("0x");
      const stored = await f.vault.grants(id);
      expect(stored.beneficiary).to.equal(g.beneficiary);
      expect(stored.amount).to.equal(g.amount);
      expect(stored.start).to.equal(g.start);
      expect(stored.cliff).to.equal(g.cliff);
      expect(stored.duration).to.equal(g.duration);
      expect(stored.revocable).to.equal(true);
      expect(stored.released).to.equal(0n);
      expect(stored.revokedAt).to.equal(0n);
      expect(await f.token.balanceOf(escrow)).to.equal(g.amount);
      expect(await f.vault.unallocated()).to.equal(f.funded - g.amount);
    });

    it("computes grant ids as keccak256(abi.encode(beneficiary, amount, start, cliff, duration))", async () => {
      const f = await loadFixture(vaultFixture);
      const g = teamGrant(f);
      expect(await f.vault.grantIdOf(g.beneficiary, g.amount, g.start, g.cliff, g.duration)).to.equal(
        grantId(g, g.start),
      );
    });

    it("reuses the escrow for a beneficiary's second grant", async () => {
      const f = await loadFixture(vaultFixture);
      await create(f, teamGrant(f));
      const g2 = teamGrant(f, { amount: MSN(5), revocable: false });
      await expect(
        f.vault
          .connect(f.governance)
          .createGrant(g2.beneficiary, g2.amount, g2.start, g2.cliff, g2.duration, false),
      ).to.not.emit(f.vault, "EscrowCreated");
      expect(await f.token.balanceOf(await f.vault.escrowOf(f.alice.address))).to.equal(AMOUNT + MSN(5));
    });

    it("accepts a cliff equal to the duration (everything vests at once)", async () => {
      const f = await loadFixture(vaultFixture);
      const g = teamGrant(f, { cliff: 6 * MONTH, duration: 6 * MONTH });
      const id = await create(f, g);
      expect(await f.vault.vestedAmount(id, g.start + 6 * MONTH - 1)).to.equal(0n);
      expect(await f.vault.vestedAmount(id, g.start + 6 * MONTH)).to.equal(g.amount);
    });

    it("can hand out the whole unallocated balance, and not a wei more", async () => {
      const f = await loadFixture(vaultFixture);
      await create(f, teamGrant(f, { amount: f.funded - 1n }));
      await create(f, teamGrant(f, { beneficiary: f.bob.address, amount: 1n }));
      expect(await f.vault.unallocated()).to.equal(0n);
      await expect(f.vault.connect(f.governance).createGrant(f.carol.address, 1n, f.now, 0, MONTH, false))
        .to.be.revertedWithCustomError(f.vault, "VestingInsufficientUnallocated")
        .withArgs(1n, 0n);
    });

    it("reverts a grant above the unallocated balance", async () => {
      const f = await loadFixture(vaultFixture);
      await expect(
        f.vault.connect(f.governance).createGrant(f.alice.address, f.funded + 1n, f.now, 0, MONTH, false),
      )
        .to.be.revertedWithCustomError(f.vault, "VestingInsufficientUnallocated")
        .withArgs(f.funded + 1n, f.funded);
    });

    it("reverts a zero beneficiary", async () => {
      const f = await loadFixture(vaultFixture);
      await expect(
        f.vault.connect(f.governance).createGrant(ethers.ZeroAddress, MSN(1), f.now, 0, MONTH, false),
      ).to.be.revertedWithCustomError(f.vault, "VestingZeroAddress");
    });

    it("reverts an amount of 0", async () => {
      const f = await loadFixture(vaultFixture);
      await expect(
        f.vault.connect(f.governance).createGrant(f.alice.address, 0n, f.now, 0, MONTH, false),
      ).to.be.revertedWithCustomError(f.vault, "VestingZeroAmount");
    });

    it("reverts a duration of 0", async () => {
      const f = await loadFixture(vaultFixture);
      await expect(
        f.vault.connect(f.governance).createGrant(f.alice.address, MSN(1), f.now, 0, 0, false),
      ).to.be.revertedWithCustomError(f.vault, "VestingZeroDuration");
    });

    it("reverts a cliff longer than the duration", async () => {
      const f = await loadFixture(vaultFixture);
      await expect(
        f.vault.connect(f.governance).createGrant(f.alice.address, MSN(1), f.now, MONTH + 1, MONTH, false),
      )
        .to.be.revertedWithCustomError(f.vault, "VestingCliffExceedsDuration")
        .withArgs(MONTH + 1, MONTH);
    });

    it("reverts a duplicate grant, whatever its revocability", async () => {
      const f = await loadFixture(vaultFixture);
      const g = teamGrant(f);
      const id = await create(f, g);
      await expect(
        f.vault
          .connect(f.governance)
          .createGrant(g.beneficiary, g.amount, g.start, g.cliff, g.duration, false),
      )
        .to.be.revertedWithCustomError(f.vault, "VestingDuplicateGrant")
        .withArgs(id);
      // One second later is a different grant.
      await create(f, { ...g, start: g.start + 1 });
    });

    it("reverts a duplicate of a grant that was revoked", async () => {
      const f = await loadFixture(vaultFixture);
      const g = teamGrant(f);
      const id = await create(f, g);
      await f.vault.connect(f.governance).revoke(id);
      await expect(
        f.vault
          .connect(f.governance)
          .createGrant(g.beneficiary, g.amount, g.start, g.cliff, g.duration, true),
      )
        .to.be.revertedWithCustomError(f.vault, "VestingDuplicateGrant")
        .withArgs(id);
    });

    it("reverts a grant from an account without the grantor role", async () => {
      const f = await loadFixture(vaultFixture);
      await expect(f.vault.connect(f.stranger).createGrant(f.alice.address, MSN(1), f.now, 0, MONTH, false))
        .to.be.revertedWithCustomError(f.vault, "AccessControlUnauthorizedAccount")
        .withArgs(f.stranger.address, await f.vault.GRANTOR_ROLE());
    });
  });

  describe("vesting formula", () => {
    it("vests nothing before the cliff, the accrued share at the cliff, linearly to the end, then everything", async () => {
      const f = await loadFixture(vaultFixture);
      const g = teamGrant(f);
      const id = await create(f, g);
      const at = (dt: number) => f.vault.vestedAmount(id, g.start + dt);
      expect(await f.vault.vestedAmount(id, 0)).to.equal(0n);
      expect(await at(-1)).to.equal(0n);
      expect(await at(0)).to.equal(0n);
      expect(await at(g.cliff - 1)).to.equal(0n);
      expect(await at(g.cliff)).to.equal((AMOUNT * BigInt(g.cliff)) / BigInt(g.duration));
      expect(await at(g.cliff)).to.equal(AMOUNT / 4n); // 12 of 48 months; AMOUNT = 4k + 3 wei
      const mid = 30 * MONTH + 12_345;
      expect(await at(mid)).to.equal((AMOUNT * BigInt(mid)) / BigInt(g.duration));
      expect(await at(g.duration - 1)).to.equal((AMOUNT * BigInt(g.duration - 1)) / BigInt(g.duration));
      expect(await at(g.duration)).to.equal(AMOUNT);
      expect(await at(g.duration * 10)).to.equal(AMOUNT);
    });

    it("vests linearly from the start when the cliff is 0", async () => {
      const f = await loadFixture(vaultFixture);
      const g = teamGrant(f, { cliff: 0, duration: 48 * MONTH });
      const id = await create(f, g);
      expect(await f.vault.vestedAmount(id, g.start)).to.equal(0n);
      expect(await f.vault.vestedAmount(id, g.start + 1)).to.equal(AMOUNT / BigInt(48 * MONTH));
      expect(await f.vault.vestedAmount(id, g.start + 24 * MONTH)).to.equal(AMOUNT / 2n);
    });

    it("matches the reference formula for any grant and time (property, fixed seed)", async () => {
      const f = await loadFixture(vaultFixture);
      let n = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.bigInt({ min: 1n, max: MSN(100_000) }),
          fc.integer({ min: 1, max: 2 ** 32 - 1 }),
          fc.double({ min: 0, max: 1, noNaN: true }),
          fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 33 }), { minLength: 1, maxLength: 6 }),
          async (amount, duration, cliffShare, offsets) => {
            const cliff = Math.floor(duration * cliffShare);
            const g = {
              beneficiary: f.alice.address,
              amount,
              start: f.now + n++,
              cliff,
              duration,
              revocable: false,
            };
            const id = await create(f, g);
            const edges = [cliff - 1, cliff, duration - 1, duration];
            for (const dt of [...offsets, ...edges]) {
              const t = Math.max(0, g.start + dt);
              expect(await f.vault.vestedAmount(id, t)).to.equal(vestedModel(g, t));
            }
          },
        ),
        { seed: 20240601, numRuns: 40 },
      );
    });

    it("reverts the views for an unknown grant", async () => {
      const f = await loadFixture(vaultFixture);
      const unknown = ethers.id("no such grant");
      await expect(f.vault.vestedAmount(unknown, f.now))
        .to.be.revertedWithCustomError(f.vault, "VestingUnknownGrant")
        .withArgs(unknown);
      await expect(f.vault.releasable(unknown))
        .to.be.revertedWithCustomError(f.vault, "VestingUnknownGrant")
        .withArgs(unknown);
    });
  });

  describe("release", () => {
    it("pays exactly the vested amount at the cliff, mid-way, at the end, and nothing more after", async () => {
      const f = await loadFixture(vaultFixture);
      const g = teamGrant(f);
      const id = await create(f, g);
      const balance = () => f.token.balanceOf(g.beneficiary);

      await time.setNextBlockTimestamp(g.start + g.cliff - 1);
      await expect(f.vault.release(id))
        .to.be.revertedWithCustomError(f.vault, "VestingNothingToRelease")
        .withArgs(id);

      await time.setNextBlockTimestamp(g.start + g.cliff);
      await f.vault.release(id);
      expect(await balance()).to.equal(vestedModel(g, g.start + g.cliff));

      const mid = g.start + 30 * MONTH + 777;
      await time.setNextBlockTimestamp(mid);
      await expect(f.vault.release(id))
        .to.emit(f.vault, "Released")
        .withArgs(
          id,
          g.beneficiary,
          f.governance.address,
          vestedModel(g, mid) - vestedModel(g, g.start + g.cliff),
        );
      expect(await balance()).to.equal(vestedModel(g, mid));

      await time.setNextBlockTimestamp(g.start + g.duration);
      await f.vault.release(id);
      expect(await balance()).to.equal(AMOUNT);
      expect((await f.vault.grants(id)).released).to.equal(AMOUNT);
      expect(await f.token.balanceOf(await f.vault.escrowOf(g.beneficiary))).to.equal(0n);

      await time.increase(365 * 86_400);
      expect(await f.vault.releasable(id)).to.equal(0n);
      await expect(f.vault.release(id))
        .to.be.revertedWithCustomError(f.vault, "VestingNothingToRelease")
        .withArgs(id);
      expect(await balance()).to.equal(AMOUNT);
    });

    it("pays the beneficiary, never the third party that calls it", async () => {
      const f = await loadFixture(vaultFixture);
      const g = teamGrant(f);
      const id = await create(f, g);
      await time.increaseTo(g.start + g.duration);
      expect(await f.vault.releasable(id)).to.equal(AMOUNT);
      await expect(f.vault.connect(f.stranger).release(id))
        .to.emit(f.vault, "Released")
        .withArgs(id, g.beneficiary, f.stranger.address, AMOUNT);
      expect(await f.token.balanceOf(f.alice.address)).to.equal(AMOUNT);
      expect(await f.token.balanceOf(f.stranger.address)).to.equal(0n);
    });

    it("pays nothing twice in one block: the second release reverts", async () => {
      const f = await loadFixture(vaultFixture);
      const g = teamGrant(f);
      const id = await create(f, g);
      await time.increaseTo(g.start + 20 * MONTH);
      await network.provider.send("evm_setAutomine", [false]);
      try {
        const tx1 = await f.vault.connect(f.alice).release(id, { gasLimit: 200_000 });
        const tx2 = await f.vault.connect(f.bob).release(id, { gasLimit: 200_000 });
        await network.provider.send("evm_mine", []);
        const r1 = await ethers.provider.getTransactionReceipt(tx1.hash);
        const r2 = await ethers.provider.getTransactionReceipt(tx2.hash);
        expect(r1!.blockNumber).to.equal(r2!.blockNumber);
        expect(r1!.status).to.equal(1);
        expect(r2!.status).to.equal(0);
      } finally {
        await network.provider.send("evm_setAutomine", [true]);
      }
      const t = await time.latest();
      expect(await f.token.balanceOf(g.beneficiary)).to.equal(vestedModel(g, t));
    });

    it("keeps grants of one beneficiary apart", async () => {
      const f = await loadFixture(vaultFixture);
      const g1 = teamGrant(f, { cliff: 0, duration: MONTH, amount: MSN(100) });
      const g2 = teamGrant(f, { cliff: 0, duration: 2 * MONTH, amount: MSN(300) });
      const id1 = await create(f, g1);
      const id2 = await create(f, g2);
      await time.setNextBlockTimestamp(g1.start + MONTH);
      await f.vault.release(id1);
      expect(await f.token.balanceOf(f.alice.address)).to.equal(MSN(100));
      expect(await f.vault.releasable(id2)).to.equal(MSN(150));
      expect(await f.token.balanceOf(await f.vault.escrowOf(f.alice.address))).to.equal(MSN(300));
    });

    it("reverts for an unknown grant", async () => {
      const f = await loadFixture(vaultFixture);
      const unknown = ethers.id("none");
      await expect(f.vault.release(unknown))
        .to.be.revertedWithCustomError(f.vault, "VestingUnknownGrant")
        .withArgs(unknown);
    });
  });

  describe("revoke", () => {
    it("before the cliff sends everything to the treasury and leaves nothing to release", async () => {
      const f = await loadFixture(vaultFixture);
      const g = teamGrant(f);
      const id = await create(f, g);
      const t = g.start + g.cliff - 1;
      await time.setNextBlockTimestamp(t);
      await expect(f.vault.connect(f.governance).revoke(id))
        .to.emit(f.vault, "GrantRevoked")
        .withArgs(id, f.treasury.address, 0n, AMOUNT);
      expect(await f.token.balanceOf(f.treasury.address)).to.equal(AMOUNT);
      expect((await f.vault.grants(id)).revokedAt).to.equal(t);
      await time.increaseTo(g.start + g.duration);
      expect(await f.vault.vestedAmount(id, g.start + g.duration)).to.equal(0n);
      await expect(f.vault.release(id)).to.be.revertedWithCustomError(f.vault, "VestingNothingToRelease");
      expect(await f.token.balanceOf(await f.vault.escrowOf(g.beneficiary))).to.equal(0n);
    });

    it("mid-way keeps the vested part claimable, sends the rest to the treasury and stops vesting", async () => {
      const f = await loadFixture(vaultFixture);
      const g = teamGrant(f);
      const id = await create(f, g);
      await time.setNextBlockTimestamp(g.start + 20 * MONTH);
      await f.vault.release(id);
      const paidBefore = vestedModel(g, g.start + 20 * MONTH);

      const r = g.start + 30 * MONTH + 5;
      const vested = vestedModel(g, r);
      await time.setNextBlockTimestamp(r);
      await expect(f.vault.connect(f.governance).revoke(id))
        .to.emit(f.vault, "GrantRevoked")
        .withArgs(id, f.treasury.address, vested, AMOUNT - vested);
      expect(await f.token.balanceOf(f.treasury.address)).to.equal(AMOUNT - vested);
      expect(await f.token.balanceOf(await f.vault.escrowOf(g.beneficiary))).to.equal(vested - paidBefore);

      // History before the revocation is unchanged; after it, vesting is frozen.
      expect(await f.vault.vestedAmount(id, g.start + 25 * MONTH)).to.equal(
        vestedModel(g, g.start + 25 * MONTH),
      );
      expect(await f.vault.vestedAmount(id, r + 1)).to.equal(vested);
      expect(await f.vault.vestedAmount(id, g.start + g.duration * 2)).to.equal(vested);

      await time.increaseTo(g.start + g.duration);
      await expect(f.vault.connect(f.stranger).release(id))
        .to.emit(f.vault, "Released")
        .withArgs(id, g.beneficiary, f.stranger.address, vested - paidBefore);
      expect(await f.token.balanceOf(g.beneficiary)).to.equal(vested);
      expect(await f.token.balanceOf(await f.vault.escrowOf(g.beneficiary))).to.equal(0n);
      await expect(f.vault.release(id)).to.be.revertedWithCustomError(f.vault, "VestingNothingToRelease");
    });

    it("after the end moves nothing and leaves everything to the beneficiary", async () => {
      const f = await loadFixture(vaultFixture);
      const g = teamGrant(f);
      const id = await create(f, g);
      await time.increaseTo(g.start + g.duration + 1);
      await expect(f.vault.connect(f.governance).revoke(id))
        .to.emit(f.vault, "GrantRevoked")
        .withArgs(id, f.treasury.address, AMOUNT, 0n)
        .and.to.not.emit(f.token, "Transfer");
      await f.vault.release(id);
      expect(await f.token.balanceOf(g.beneficiary)).to.equal(AMOUNT);
      expect(await f.token.balanceOf(f.treasury.address)).to.equal(0n);
    });

    it("sends the unvested part to a treasury changed by governance", async () => {
      const f = await loadFixture(vaultFixture);
      const id = await create(f, teamGrant(f));
      await expect(f.vault.connect(f.governance).setTreasury(f.carol.address))
        .to.emit(f.vault, "TreasurySet")
        .withArgs(f.treasury.address, f.carol.address);
      expect(await f.vault.treasury()).to.equal(f.carol.address);
      await expect(f.vault.connect(f.governance).revoke(id)).to.changeTokenBalances(
        f.token,
        [f.carol, f.treasury],
        [AMOUNT, 0n],
      );
    });

    it("reverts for a grant that is not revocable", async () => {
      const f = await loadFixture(vaultFixture);
      const id = await create(f, teamGrant(f, { revocable: false }));
      await expect(f.vault.connect(f.governance).revoke(id))
        .to.be.revertedWithCustomError(f.vault, "VestingNotRevocable")
        .withArgs(id);
    });

    it("reverts a second revocation", async () => {
      const f = await loadFixture(vaultFixture);
      const id = await create(f, teamGrant(f));
      await f.vault.connect(f.governance).revoke(id);
      await expect(f.vault.connect(f.governance).revoke(id))
        .to.be.revertedWithCustomError(f.vault, "VestingAlreadyRevoked")
        .withArgs(id);
    });

    it("reverts for an unknown grant", async () => {
      const f = await loadFixture(vaultFixture);
      const unknown = ethers.id("none");
      await expect(f.vault.connect(f.governance).revoke(unknown))
        .to.be.revertedWithCustomError(f.vault, "VestingUnknownGrant")
        .withArgs(unknown);
    });

    it("reverts from an account without the revoker role", async () => {
      const f = await loadFixture(vaultFixture);
      const id = await create(f, teamGrant(f));
      await expect(f.vault.connect(f.alice).revoke(id))
        .to.be.revertedWithCustomError(f.vault, "AccessControlUnauthorizedAccount")
        .withArgs(f.alice.address, await f.vault.REVOKER_ROLE());
    });

    it("conserves every token: beneficiary plus treasury receive exactly the grant (property, fixed seed)", async () => {
      const f = await loadFixture(vaultFixture);
      let n = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.bigInt({ min: 1n, max: MSN(1_000_000) }),
          fc.integer({ min: 1, max: 48 * MONTH }),
          fc.double({ min: 0, max: 1, noNaN: true }),
          fc.array(fc.integer({ min: 1, max: 20 * MONTH }), { minLength: 0, maxLength: 3 }),
          fc.option(fc.integer({ min: 1, max: 60 * MONTH }), { nil: undefined }),
          async (amount, duration, cliffShare, steps, revokeAfter) => {
            const [beneficiary] = (await ethers.getSigners()).slice(10 + (n % 8), 11 + (n % 8));
            const start = (await time.latest()) + 10 + n++;
            const g = {
              beneficiary: beneficiary.address,
              amount,
              start,
              cliff: Math.floor(duration * cliffShare),
              duration,
              revocable: true,
            };
            const id = await create(f, g);
            const before = await f.token.balanceOf(g.beneficiary);
            const treasuryBefore = await f.token.balanceOf(f.treasury.address);
            let t = start;
            let revokedAt = 0;
            for (const step of steps) {
              t += step;
              await time.setNextBlockTimestamp(t);
              if ((await f.vault.vestedAmount(id, t)) > (await f.vault.grants(id)).released)
                await f.vault.release(id);
              else await time.increaseTo(t);
            }
            if (revokeAfter !== undefined) {
              t += revokeAfter;
              await time.setNextBlockTimestamp(t);
              await f.vault.connect(f.governance).revoke(id);
              revokedAt = t;
            }
            t = Math.max(t, start + duration) + 1;
            await time.setNextBlockTimestamp(t);
            if ((await f.vault.vestedAmount(id, t)) > (await f.vault.grants(id)).released)
              await f.vault.release(id);
            else await time.increaseTo(t);
            const paid = (await f.token.balanceOf(g.beneficiary)) - before;
            const returned = (await f.token.balanceOf(f.treasury.address)) - treasuryBefore;
            expect(paid).to.equal(vestedModel(g, t, revokedAt));
            expect(paid + returned).to.equal(amount);
          },
        ),
        { seed: 424242, numRuns: 25 },
      );
      expect(await f.vault.unallocated()).to.equal(f.funded - (await totalGranted(f.vault)));
    });
  });

  describe("treasury", () => {
    it("reverts a zero treasury", async () => {
      const f = await loadFixture(vaultFixture);
      await expect(
        f.vault.connect(f.governance).setTreasury(ethers.ZeroAddress),
      ).to.be.revertedWithCustomError(f.vault, "VestingZeroAddress");
    });

    it("reverts setting the same treasury again", async () => {
      const f = await loadFixture(vaultFixture);
      await expect(f.vault.connect(f.governance).setTreasury(f.treasury.address))
        .to.be.revertedWithCustomError(f.vault, "VestingTreasuryUnchanged")
        .withArgs(f.treasury.address);
    });

    it("reverts from an account without the admin role", async () => {
      const f = await loadFixture(vaultFixture);
      await expect(f.vault.connect(f.stranger).setTreasury(f.carol.address))
        .to.be.revertedWithCustomError(f.vault, "AccessControlUnauthorizedAccount")
        .withArgs(f.stranger.address, await f.vault.DEFAULT_ADMIN_ROLE());
    });
  });

  describe("votes of locked tokens", () => {
    it("count for the delegate the beneficiary picks, across all its grants, and follow releases", async () => {
      const f = await loadFixture(vaultFixture);
      const g1 = teamGrant(f, { cliff: 0, duration: MONTH, amount: MSN(100) });
      const g2 = teamGrant(f, { amount: MSN(900), revocable: false });
      const id1 = await create(f, g1);
      await create(f, g2);
      const escrow = await f.vault.escrowOf(f.alice.address);
      expect(await f.token.getVotes(f.bob.address)).to.equal(0n);

      await expect(f.vault.connect(f.alice).delegate(f.bob.address))
        .to.emit(f.vault, "EscrowVotesDelegated")
        .withArgs(f.alice.address, escrow, f.bob.address)
        .and.to.emit(f.token, "DelegateChanged")
        .withArgs(escrow, ethers.ZeroAddress, f.bob.address);
      expect(await f.token.delegates(escrow)).to.equal(f.bob.address);
      expect(await f.token.getVotes(f.bob.address)).to.equal(MSN(1_000));
      const tDelegated = await time.latest();

      await time.setNextBlockTimestamp(g1.start + MONTH);
      await f.vault.release(id1);
      expect(await f.token.getVotes(f.bob.address)).to.equal(MSN(900));
      expect(await f.token.getPastVotes(f.bob.address, tDelegated)).to.equal(MSN(1_000));

      // A new grant to the same beneficiary adds to the same delegate.
      await create(f, teamGrant(f, { amount: MSN(50), start: g1.start + 2 }));
      expect(await f.token.getVotes(f.bob.address)).to.equal(MSN(950));
    });

    it("lets the beneficiary delegate to itself, re-delegate and undelegate", async () => {
      const f = await loadFixture(vaultFixture);
      await create(f, teamGrant(f));
      await f.vault.connect(f.alice).delegate(f.alice.address);
      expect(await f.token.getVotes(f.alice.address)).to.equal(AMOUNT);
      await f.vault.connect(f.alice).delegate(f.carol.address);
      expect(await f.token.getVotes(f.alice.address)).to.equal(0n);
      expect(await f.token.getVotes(f.carol.address)).to.equal(AMOUNT);
      await f.vault.connect(f.alice).delegate(ethers.ZeroAddress);
      expect(await f.token.getVotes(f.carol.address)).to.equal(0n);
    });

    it("takes the revoked tokens out of the delegate's votes", async () => {
      const f = await loadFixture(vaultFixture);
      const id = await create(f, teamGrant(f));
      await f.vault.connect(f.alice).delegate(f.alice.address);
      await f.vault.connect(f.governance).revoke(id);
      expect(await f.token.getVotes(f.alice.address)).to.equal(0n);
    });

    it("reverts for an account that never had a grant", async () => {
      const f = await loadFixture(vaultFixture);
      await expect(f.vault.connect(f.stranger).delegate(f.stranger.address))
        .to.be.revertedWithCustomError(f.vault, "VestingNoEscrow")
        .withArgs(f.stranger.address);
    });
  });

  describe("escrow", () => {
    it("obeys the vault only", async () => {
      const f = await loadFixture(vaultFixture);
      await create(f, teamGrant(f));
      const escrowAddress = await f.vault.escrowOf(f.alice.address);
      const escrow = (await ethers.getContractAt("VestingEscrow", escrowAddress)) as unknown as VestingEscrow;
      expect(await escrow.VAULT()).to.equal(await f.vault.getAddress());
      await expect(escrow.connect(f.alice).transfer(f.alice.address, 1n))
        .to.be.revertedWithCustomError(escrow, "EscrowUnauthorized")
        .withArgs(f.alice.address);
      await expect(escrow.connect(f.alice).delegate(f.alice.address))
        .to.be.revertedWithCustomError(escrow, "EscrowUnauthorized")
        .withArgs(f.alice.address);
      const impl = (await ethers.getContractAt(
        "VestingEscrow",
        await f.vault.ESCROW_IMPLEMENTATION(),
      )) as unknown as VestingEscrow;
      await expect(impl.connect(f.governance).transfer(f.alice.address, 0n))
        .to.be.revertedWithCustomError(impl, "EscrowUnauthorized")
        .withArgs(f.governance.address);
    });
  });
});

async function totalGranted(vault: VestingVault): Promise<bigint> {
  const events = await vault.queryFilter(vault.filters.GrantCreated());
  return events.reduce((s, e) => s + e.args.amount, 0n);
}
