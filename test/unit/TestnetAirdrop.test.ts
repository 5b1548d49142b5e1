import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";

import { airdropFixture, MSN } from "../shared/tokenVestingFixture";

describe("TestnetAirdrop", () => {
  describe("deployment", () => {
    it("records the token, root, deadline and treasury", async () => {
      const { airdrop, token, tree, deadline, ecosystem } = await loadFixture(airdropFixture);
      expect(await airdrop.TOKEN()).to.equal(await token.getAddress());
      expect(await airdrop.MERKLE_ROOT()).to.equal(tree.root);
      expect(await airdrop.DEADLINE()).to.equal(deadline);
      expect(await airdrop.TREASURY()).to.equal(ecosystem.address);
    });

    it("reverts a zero token or treasury", async () => {
      const { token, tree, deadline, ecosystem } = await loadFixture(airdropFixture);
      const factory = await ethers.getContractFactory("TestnetAirdrop");
      await expect(
        factory.deploy(ethers.ZeroAddress, tree.root, deadline, ecosystem.address),
      ).to.be.revertedWithCustomError(factory, "AirdropZeroAddress");
      await expect(
        factory.deploy(await token.getAddress(), tree.root, deadline, ethers.ZeroAddress),
      ).to.be.revertedWithCustomError(factory, "AirdropZeroAddress");
    });

    it("reverts a deadline that is not in the future", async () => {
      const { token, tree, ecosystem } = await loadFixture(airdropFixture);
      const factory = await ethers.getContractFactory("TestnetAirdrop");
      const now = (await time.latest()) + 1;
      await time.setNextBlockTimestamp(now);
      await expect(factory.deploy(await token.getAddress(), tree.root, now, ecosystem.address))
        .to.be.revertedWithCustomError(factory, "AirdropDeadlineNotInFuture")
        .withArgs(now, now);
    });
  });

  describe("claim", () => {
    it("pays the listed amount to the account, submitted by a relayer", async () => {
      const { airdrop, token, recipients, relayer, proofOf } = await loadFixture(airdropFixture);
      const { account, amount } = recipients[1];
      await expect(airdrop.connect(relayer).claim(account, amount, proofOf(account, amount)))
        .to.emit(airdrop, "Claimed")
        .withArgs(account, amount);
      expect(await token.balanceOf(account)).to.equal(amount);
      expect(await token.balanceOf(relayer.address)).to.equal(0n);
      expect(await airdrop.claimed(account)).to.equal(true);
      expect(await token.balanceOf(await airdrop.getAddress())).to.equal(MSN(1_000_000) - amount);
    });

    it("lets every listed account claim once", async () => {
      const { airdrop, token, recipients, proofOf } = await loadFixture(airdropFixture);
      for (const { account, amount } of recipients)
        await airdrop.claim(account, amount, proofOf(account, amount));
      for (const { account, amount } of recipients) expect(await token.balanceOf(account)).to.equal(amount);
      expect(await token.balanceOf(await airdrop.getAddress())).to.equal(MSN(1_000_000 - 575_000));
    });

    it("reverts a second claim by the same account", async () => {
      const { airdrop, recipients, proofOf } = await loadFixture(airdropFixture);
      const { account, amount } = recipients[0];
      await airdrop.claim(account, amount, proofOf(account, amount));
      await expect(airdrop.claim(account, amount, proofOf(account, amount)))
        .to.be.revertedWithCustomError(airdrop, "AirdropAlreadyClaimed")
        .withArgs(account);
    });

    it("reverts a claim for a different amount than listed", async () => {
      const { airdrop, recipients, proofOf } = await loadFixture(airdropFixture);
      const { account, amount } = recipients[0];
      await expect(airdrop.claim(account, amount + 1n, proofOf(account, amount)))
        .to.be.revertedWithCustomError(airdrop, "AirdropInvalidProof")
        .withArgs(account, amount + 1n);
    });

    it("reverts a claim with another account's proof", async () => {
      const { airdrop, recipients, proofOf } = await loadFixture(airdropFixture);
      const [first, second] = recipients;
      await expect(airdrop.claim(first.account, first.amount, proofOf(second.account, second.amount)))
        .to.be.revertedWithCustomError(airdrop, "AirdropInvalidProof")
        .withArgs(first.account, first.amount);
    });

    it("reverts a claim by an account that is not listed, and one with an empty proof", async () => {
      const { airdrop, recipients, outsider, proofOf } = await loadFixture(airdropFixture);
      const { account, amount } = recipients[0];
      await expect(airdrop.claim(outsider.address, amount, proofOf(account, amount)))
        .to.be.revertedWithCustomError(airdrop, "AirdropInvalidProof")
        .withArgs(outsider.address, amount);
      await expect(airdrop.claim(account, amount, []))
        .to.be.revertedWithCustomError(airdrop, "AirdropInvalidProof")
        .withArgs(account, amount);
    });

    it("accepts a claim in the last second before the deadline", async () => {
      const { airdrop, token, recipients, deadline, proofOf } = await loadFixture(airdropFixture);
      const { account, amount } = recipients[2];
      await time.setNextBlockTimestamp(deadline - 1);
      await airdrop.claim(account, amount, proofOf(account, amount));
      expect(await token.balanceOf(account)).to.equal(amount);
    });

    it("reverts a claim at the deadline and after it", async () => {
      const { airdrop, recipients, deadline, proofOf } = await loadFixture(airdropFixture);
      const { account, amount } = recipients[2];
      await time.setNextBlockTimestamp(deadline);
      await expect(airdrop.claim(account, amount, proofOf(account, amount)))
        .to.be.revertedWithCustomError(airdrop, "AirdropClaimWindowClosed")
        .withArgs(deadline);
      await time.increase(86_400);
      await expect(airdrop.claim(account, amount, proofOf(account, amount)))
        .to.be.revertedWithCustomError(airdrop, "AirdropClaimWindowClosed")
        .withArgs(deadline);
    });
  });

  describe("sweep", () => {
    it("reverts before the deadline", async () => {
      const { airdrop, deadline } = await loadFixture(airdropFixture);
      await time.setNextBlockTimestamp(deadline - 1);
      await expect(airdrop.sweep())
        .to.be.revertedWithCustomError(airdrop, "AirdropSweepBeforeDeadline")
        .withArgs(deadline);
    });

    it("sends the unclaimed remainder to the ecosystem treasury from the deadline on, called by anyone", async () => {
      const { airdrop, token, recipients, deadline, ecosystem, outsider, proofOf } =
        await loadFixture(airdropFixture);
      const { account, amount } = recipients[0];
      await airdrop.claim(account, amount, proofOf(account, amount));
      const remainder = MSN(1_000_000) - amount;
      await time.setNextBlockTimestamp(deadline);
      await expect(airdrop.connect(outsider).sweep())
        .to.emit(airdrop, "Swept")
        .withArgs(ecosystem.address, remainder);
      expect(await token.balanceOf(ecosystem.address)).to.equal(remainder);
      expect(await token.balanceOf(await airdrop.getAddress())).to.equal(0n);
    });

    it("reverts a second sweep with nothing left", async () => {
      const { airdrop, deadline } = await loadFixture(airdropFixture);
      await time.increaseTo(deadline);
      await airdrop.sweep();
      await expect(airdrop.sweep()).to.be.revertedWithCustomError(airdrop, "AirdropNothingToSweep");
    });
  });
});
