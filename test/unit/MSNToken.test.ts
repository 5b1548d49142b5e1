import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";

import { GENESIS_SUPPLY, MAX_SUPPLY, MSN, tokenFixture } from "../shared/tokenVestingFixture";
import { signPermit as signPermitWith } from "../../scripts/lib/permit";

describe("MSNToken", () => {
  describe("genesis", () => {
    it("is named Meson Network, symbol MSN, 18 decimals", async () => {
      const { token } = await loadFixture(tokenFixture);
      expect(await token.name()).to.equal("Meson Network");
      expect(await token.symbol()).to.equal("MSN");
      expect(await token.decimals()).to.equal(18);
    });

    it("mints each genesis amount to its recipient and exactly 100,000,000 MSN in total", async () => {
      const [admin, a, b, c] = await ethers.getSigners();
      const amounts = [MSN(26_000_000), MSN(5_000_000), MSN(69_000_000)];
      const token = await ethers.deployContract("MSNToken", [
        [a.address, b.address, c.address],
        amounts,
        admin.address,
      ]);
      expect(await token.balanceOf(a.address)).to.equal(amounts[0]);
      expect(await token.balanceOf(b.address)).to.equal(amounts[1]);
      expect(await token.balanceOf(c.address)).to.equal(amounts[2]);
      expect(await token.totalSupply()).to.equal(GENESIS_SUPPLY);
      expect(await token.GENESIS_SUPPLY()).to.equal(GENESIS_SUPPLY);
      expect(await token.MAX_SUPPLY()).to.equal(MAX_SUPPLY);
    });

    it("adds up repeated recipients", async () => {
      const [admin, a, b] = await ethers.getSigners();
      const token = await ethers.deployContract("MSNToken", [
        [a.address, b.address, a.address],
        [MSN(40_000_000), MSN(20_000_000), MSN(40_000_000)],
        admin.address,
      ]);
      expect(await token.balanceOf(a.address)).to.equal(MSN(80_000_000));
    });

    it("records the minter admin and no minter", async () => {
      const { token, admin } = await loadFixture(tokenFixture);
      expect(await token.minterAdmin()).to.equal(admin.address);
      expect(await token.minter()).to.equal(ethers.ZeroAddress);
    });

    it("reverts when the genesis amounts fall one wei short of 100M", async () => {
      const [admin, a] = await ethers.getSigners();
      const factory = await ethers.getContractFactory("MSNToken");
      await expect(factory.deploy([a.address], [GENESIS_SUPPLY - 1n], admin.address))
        .to.be.revertedWithCustomError(factory, "MSNGenesisSupplyMismatch")
        .withArgs(GENESIS_SUPPLY, GENESIS_SUPPLY - 1n);
    });

    it("reverts when the genesis amounts exceed 100M", async () => {
      const [admin, a, b] = await ethers.getSigners();
      const factory = await ethers.getContractFactory("MSNToken");
      await expect(factory.deploy([a.address, b.address], [GENESIS_SUPPLY, MSN(1)], admin.address))
        .to.be.revertedWithCustomError(factory, "MSNGenesisSupplyMismatch")
        .withArgs(GENESIS_SUPPLY, GENESIS_SUPPLY + MSN(1));
    });

    it("reverts when recipients and amounts differ in length", async () => {
      const [admin, a, b] = await ethers.getSigners();
      const factory = await ethers.getContractFactory("MSNToken");
      await expect(factory.deploy([a.address, b.address], [GENESIS_SUPPLY], admin.address))
        .to.be.revertedWithCustomError(factory, "MSNGenesisLengthMismatch")
        .withArgs(2, 1);
    });

    it("reverts an empty genesis", async () => {
      const [admin] = await ethers.getSigners();
      const factory = await ethers.getContractFactory("MSNToken");
      await expect(factory.deploy([], [], admin.address))
        .to.be.revertedWithCustomError(factory, "MSNGenesisLengthMismatch")
        .withArgs(0, 0);
    });

    it("reverts a zero genesis recipient", async () => {
      const [admin, a] = await ethers.getSigners();
      const factory = await ethers.getContractFactory("MSNToken");
      await expect(
        factory.deploy([a.address, ethers.ZeroAddress], [MSN(1), GENESIS_SUPPLY - MSN(1)], admin.address),
      ).to.be.revertedWithCustomError(factory, "MSNZeroAddress");
    });

    it("reverts a zero minter admin", async () => {
      const [, a] = await ethers.getSigners();
      const factory = await ethers.getContractFactory("MSNToken");
      await expect(
        factory.deploy([a.address], [GENESIS_SUPPLY], ethers.ZeroAddress),
      ).to.be.revertedWithCustomError(factory, "MSNZeroAddress");
    });
  });

  describe("minter", () => {
    it("lets the minter admin set the minter once and then ends the admin role", async () => {
      const { token, admin, minter } = await loadFixture(tokenFixture);
      await expect(token.connect(admin).setMinter(minter.address))
        .to.emit(token, "MinterSet")
        .withArgs(minter.address);
      expect(await token.minter()).to.equal(minter.address);
      expect(await token.minterAdmin()).to.equal(ethers.ZeroAddress);
    });

    it("refuses a second assignment, even by the former minter admin", async () => {
      const { token, admin, minter, alice } = await loadFixture(tokenFixture);
      await token.connect(admin).setMinter(minter.address);
      await expect(token.connect(admin).setMinter(alice.address))
        .to.be.revertedWithCustomError(token, "MSNUnauthorizedMinterAdmin")
        .withArgs(admin.address);
      expect(await token.minter()).to.equal(minter.address);
    });

    it("refuses the assignment from anyone but the minter admin", async () => {
      const { token, alice, minter } = await loadFixture(tokenFixture);
      await expect(token.connect(alice).setMinter(minter.address))
        .to.be.revertedWithCustomError(token, "MSNUnauthorizedMinterAdmin")
        .withArgs(alice.address);
    });

    it("refuses the zero address as minter", async () => {
      const { token, admin } = await loadFixture(tokenFixture);
      await expect(token.connect(admin).setMinter(ethers.ZeroAddress)).to.be.revertedWithCustomError(
        token,
        "MSNZeroAddress",
      );
    });

    it("lets nobody mint before a minter is set, not even the minter admin", async () => {
      const { token, admin } = await loadFixture(tokenFixture);
      await expect(token.connect(admin).mint(admin.address, 1n))
        .to.be.revertedWithCustomError(token, "MSNUnauthorizedMinter")
        .withArgs(admin.address);
    });

    it("lets the minter mint and nobody else", async () => {
      const { token, admin, minter, alice } = await loadFixture(tokenFixture);
      await token.connect(admin).setMinter(minter.address);
      await expect(token.connect(minter).mint(alice.address, MSN(5)))
        .to.emit(token, "Transfer")
        .withArgs(ethers.ZeroAddress, alice.address, MSN(5));
      expect(await token.totalSupply()).to.equal(GENESIS_SUPPLY + MSN(5));
      for (const caller of [admin, alice]) {
        await expect(token.connect(caller).mint(caller.address, 1n))
          .to.be.revertedWithCustomError(token, "MSNUnauthorizedMinter")
          .withArgs(caller.address);
      }
    });

    it("mints up to the 127,500,000 MSN cap exactly", async () => {
      const { token, admin, minter, alice } = await loadFixture(tokenFixture);
      await token.connect(admin).setMinter(minter.address);
      await token.connect(minter).mint(alice.address, MAX_SUPPLY - GENESIS_SUPPLY);
      expect(await token.totalSupply()).to.equal(MAX_SUPPLY);
    });

    it("reverts a mint one wei above the cap", async () => {
      const { token, admin, minter, alice } = await loadFixture(tokenFixture);
      await token.connect(admin).setMinter(minter.address);
      await token.connect(minter).mint(alice.address, MAX_SUPPLY - GENESIS_SUPPLY - 10n);
      await expect(token.connect(minter).mint(alice.address, 11n))
        .to.be.revertedWithCustomError(token, "MSNCapExceeded")
        .withArgs(MAX_SUPPLY + 1n, MAX_SUPPLY);
      await token.connect(minter).mint(alice.address, 10n);
      expect(await token.totalSupply()).to.equal(MAX_SUPPLY);
    });
  });

  describe("permit (ERC-2612)", () => {
    async function signPermit(
      token: Awaited<ReturnType<typeof tokenFixture>>["token"],
      signer: Awaited<ReturnType<typeof tokenFixture>>["holder"],
      owner: string,
      spender: string,
      value: bigint,
      deadline: number,
    ) {
      const { chainId } = await ethers.provider.getNetwork();
      const domain = {
        name: "Meson Network",
        version: "1",
        chainId,
        verifyingContract: await token.getAddress(),
      };
      return signPermitWith(token, signer, { owner, spender, value, deadline }, domain);
    }

    it("sets an allowance from an owner's signature, submitted by anyone, and bumps the nonce", async () => {
      const { token, holder, alice, bob } = await loadFixture(tokenFixture);
      const deadline = (await time.latest()) + 3600;
      const sig = await signPermit(token, holder, holder.address, alice.address, MSN(42), deadline);
      await expect(
        token.connect(bob).permit(holder.address, alice.address, MSN(42), deadline, sig.v, sig.r, sig.s),
      )
        .to.emit(token, "Approval")
        .withArgs(holder.address, alice.address, MSN(42));
      expect(await token.allowance(holder.address, alice.address)).to.equal(MSN(42));
      expect(await token.nonces(holder.address)).to.equal(1n);
      await token.connect(alice).transferFrom(holder.address, alice.address, MSN(42));
      expect(await token.balanceOf(alice.address)).to.equal(MSN(42));
    });

    it("rejects a replayed permit", async () => {
      const { token, holder, alice } = await loadFixture(tokenFixture);
      const deadline = (await time.latest()) + 3600;
      const sig = await signPermit(token, holder, holder.address, alice.address, MSN(1), deadline);
      await token.permit(holder.address, alice.address, MSN(1), deadline, sig.v, sig.r, sig.s);
      await expect(
        token.permit(holder.address, alice.address, MSN(1), deadline, sig.v, sig.r, sig.s),
      ).to.be.revertedWithCustomError(token, "ERC2612InvalidSigner");
    });

    it("rejects an expired permit", async () => {
      const { token, holder, alice } = await loadFixture(tokenFixture);
      const deadline = (await time.latest()) + 10;
      const sig = await signPermit(token, holder, holder.address, alice.address, MSN(1), deadline);
      await time.increaseTo(deadline + 1);
      await expect(token.permit(holder.address, alice.address, MSN(1), deadline, sig.v, sig.r, sig.s))
        .to.be.revertedWithCustomError(token, "ERC2612ExpiredSignature")
        .withArgs(deadline);
    });

    it("rejects a permit signed by someone other than the owner", async () => {
      const { token, holder, alice, bob } = await loadFixture(tokenFixture);
      const deadline = (await time.latest()) + 3600;
      const sig = await signPermit(token, bob, holder.address, alice.address, MSN(1), deadline);
      await expect(token.permit(holder.address, alice.address, MSN(1), deadline, sig.v, sig.r, sig.s))
        .to.be.revertedWithCustomError(token, "ERC2612InvalidSigner")
        .withArgs(bob.address, holder.address);
    });
  });

  describe("votes (ERC-5805, timestamp clock)", () => {
    it("uses the block timestamp as its clock", async () => {
      const { token } = await loadFixture(tokenFixture);
      expect(await token.CLOCK_MODE()).to.equal("mode=timestamp");
      expect(await token.clock()).to.equal(await time.latest());
    });

    it("counts no votes until the holder delegates", async () => {
      const { token, holder } = await loadFixture(tokenFixture);
      expect(await token.getVotes(holder.address)).to.equal(0n);
      await expect(token.connect(holder).delegate(holder.address))
        .to.emit(token, "DelegateChanged")
        .withArgs(holder.address, ethers.ZeroAddress, holder.address);
      expect(await token.getVotes(holder.address)).to.equal(GENESIS_SUPPLY);
    });

    it("moves votes with transfers and delegation, and checkpoints them by timestamp", async () => {
      const { token, holder, alice, bob } = await loadFixture(tokenFixture);
      await token.connect(holder).delegate(alice.address);
      const t1 = await time.latest();
      await token.connect(holder).transfer(bob.address, MSN(1_000));
      await token.connect(bob).delegate(bob.address);
      const t2 = await time.latest();
      await time.increase(10);
      expect(await token.getVotes(alice.address)).to.equal(GENESIS_SUPPLY - MSN(1_000));
      expect(await token.getVotes(bob.address)).to.equal(MSN(1_000));
      expect(await token.getPastVotes(alice.address, t1)).to.equal(GENESIS_SUPPLY);
      expect(await token.getPastVotes(bob.address, t2)).to.equal(MSN(1_000));
      expect(await token.getPastTotalSupply(t2)).to.equal(GENESIS_SUPPLY);
      expect(await token.delegates(holder.address)).to.equal(alice.address);
    });

    it("counts minted tokens in the delegate's votes", async () => {
      const { token, admin, minter, alice } = await loadFixture(tokenFixture);
      await token.connect(admin).setMinter(minter.address);
      await token.connect(alice).delegate(alice.address);
      await token.connect(minter).mint(alice.address, MSN(7));
      expect(await token.getVotes(alice.address)).to.equal(MSN(7));
    });

    it("accepts delegation by EIP-712 signature", async () => {
      const { token, holder, carol } = await loadFixture(tokenFixture);
      const { chainId } = await ethers.provider.getNetwork();
      const expiry = (await time.latest()) + 3600;
      const domain = {
        name: "Meson Network",
        version: "1",
        chainId,
        verifyingContract: await token.getAddress(),
      };
      const types = {
        Delegation: [
          { name: "delegatee", type: "address" },
          { name: "nonce", type: "uint256" },
          { name: "expiry", type: "uint256" },
        ],
      };
      const sig = ethers.Signature.from(
        await holder.signTypedData(domain, types, { delegatee: carol.address, nonce: 0, expiry }),
      );
      await token.delegateBySig(carol.address, 0, expiry, sig.v, sig.r, sig.s);
      expect(await token.getVotes(carol.address)).to.equal(GENESIS_SUPPLY);
    });
  });
});
