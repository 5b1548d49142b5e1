import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import fc from "fast-check";
import { ethers, network } from "hardhat";
import type { ContractTransactionReceipt } from "ethers";
import type { EmissionMinter } from "../../typechain-types";
import {
  CUMULATIVE_AFTER_YEAR,
  DAY,
  GENESIS_SUPPLY,
  MAX_SUPPLY,
  TOTAL_EMISSION,
  YEAR,
  YEAR_BUDGETS,
  epochLengthsFixture,
  fiveDayEpochFixture,
  oneDayEpochFixture,
  referenceEmitted,
} from "../shared/emissionFixture";

const SEED = 20_240_503;
/** Enough for any mint; set explicitly when automine is off (estimation would run at a different time). */
const MINT_GAS_LIMIT = 200_000n;

async function mintAt(minter: EmissionMinter, timestamp: bigint): Promise<ContractTransactionReceipt> {
  await time.setNextBlockTimestamp(timestamp);
  const tx = await minter.mint();
  const receipt = await tx.wait();
  if (receipt === null) throw new Error("mint was not mined");
  return receipt;
}

/** Sums `epochEmission` over [from, to) with view calls in parallel chunks. */
async function sumEpochEmission(minter: EmissionMinter, from: bigint, to: bigint): Promise<bigint> {
  let sum = 0n;
  const chunk = 250n;
  for (let start = from; start < to; start += chunk) {
    const end = start + chunk < to ? start + chunk : to;
    const calls: Promise<bigint>[] = [];
    for (let e = start; e < end; e++) calls.push(minter.epochEmission(e));
    for (const value of await Promise.all(calls)) sum += value;
  }
  return sum;
}

function ceilDiv(a: bigint, b: bigint): bigint {
  return (a + b - 1n) / b;
}

describe("EmissionMinter", () => {
  describe("deployment", () => {
    it("stores the token, recipient, genesis time and epoch length", async () => {
      const { token, minter, distributor, genesisTime } = await loadFixture(oneDayEpochFixture);
      expect(await minter.TOKEN()).to.equal(await token.getAddress());
      expect(await minter.RECIPIENT()).to.equal(distributor.address);
      expect(await minter.GENESIS_TIME()).to.equal(genesisTime);
      expect(await minter.EPOCH_LENGTH()).to.equal(DAY);
      expect(await minter.EMISSION_EPOCHS()).to.equal(3_650n);
      expect(await minter.YEAR()).to.equal(31_536_000n);
      expect(await minter.TOTAL_EMISSION()).to.equal(TOTAL_EMISSION);
      expect(await minter.mintedThroughEpoch()).to.equal(0n);
      expect(await minter.totalMinted()).to.equal(0n);
    });

    it("rejects a zero token or a zero recipient", async () => {
      const [a] = await ethers.getSigners();
      const factory = await ethers.getContractFactory("EmissionMinter");
      const genesis = BigInt(await time.latest());
      await expect(factory.deploy(ethers.ZeroAddress, a.address, genesis, DAY)).to.be.revertedWithCustomError(
        factory,
        "EmissionZeroAddress",
      );
      await expect(factory.deploy(a.address, ethers.ZeroAddress, genesis, DAY)).to.be.revertedWithCustomError(
        factory,
        "EmissionZeroAddress",
      );
    });

    it("rejects an epoch length of zero or one that does not divide 365 days", async () => {
      const [a] = await ethers.getSigners();
      const factory = await ethers.getContractFactory("EmissionMinter");
      const genesis = BigInt(await time.latest());
      for (const bad of [0n, 7n * DAY, DAY + 1n, 2n * DAY, 366n * DAY, 2n * YEAR]) {
        await expect(factory.deploy(a.address, a.address, genesis, bad))
          .to.be.revertedWithCustomError(factory, "EmissionInvalidEpochLength")
          .withArgs(bad);
      }
    });

    it("accepts every epoch length that divides 365 days, from one second to a whole year", async () => {
      const [a] = await ethers.getSigners();
      const factory = await ethers.getContractFactory("EmissionMinter");
      const genesis = BigInt(await time.latest());
      for (const good of [1n, 3_600n, DAY, 5n * DAY, 73n * DAY, YEAR]) {
        const minter = await factory.deploy(a.address, a.address, genesis, good);
        expect(await minter.EPOCH_LENGTH()).to.equal(good);
        expect(await minter.EMISSION_EPOCHS()).to.equal((10n * YEAR) / good);
      }
    });

    it("rejects a genesis time of zero or one in milliseconds", async () => {
      const [a] = await ethers.getSigners();
      const factory = await ethers.getContractFactory("EmissionMinter");
      const milliseconds = BigInt(Date.now());
      for (const bad of [0n, milliseconds, 2n ** 40n]) {
        await expect(factory.deploy(a.address, a.address, bad, DAY))
          .to.be.revertedWithCustomError(factory, "EmissionInvalidGenesisTime")
          .withArgs(bad);
      }
      const latest = await factory.deploy(a.address, a.address, 2n ** 40n - 1n, DAY);
      expect(await latest.GENESIS_TIME()).to.equal(2n ** 40n - 1n);
    });

    it("accepts a genesis time in the past and catches up in the first mint", async () => {
      const { token, distributor } = await loadFixture(oneDayEpochFixture);
      const [, , , , admin2, treasury2] = await ethers.getSigners();
      const token2 = await ethers.deployContract("MSNToken", [
        [treasury2.address],
        [GENESIS_SUPPLY],
        admin2.address,
      ]);
      const now = BigInt(await time.latest());
      const genesis = now - 400n * DAY - 123n;
      const minter = await ethers.deployContract("EmissionMinter", [
        await token2.getAddress(),
        distributor.address,
        genesis,
        DAY,
      ]);
      await token2.connect(admin2).setMinter(await minter.getAddress());
      expect(await minter.endedEpochs()).to.equal(400n);
      const receipt = await mintAt(minter, now + 10n);
      expect(receipt.status).to.equal(1);
      expect(await token2.balanceOf(distributor.address)).to.equal(referenceEmitted(400n * DAY));
      expect(await minter.mintedThroughEpoch()).to.equal(400n);
      expect(await token.balanceOf(distributor.address)).to.equal(0n);
    });
  });

  describe("schedule views", () => {
    it("gives the rates 5.0% down to 0.5% in steps of 0.5 points, then 0", async () => {
      const { minter } = await loadFixture(oneDayEpochFixture);
      for (let y = 0n; y < 10n; y++) expect(await minter.rateBps(y)).to.equal(500n - 50n * y);
      for (const y of [10n, 11n, 1_000n, 2n ** 256n - 1n]) expect(await minter.rateBps(y)).to.equal(0n);
    });

    it("gives the yearly budgets 5,000,000 MSN down to 500,000 MSN, then 0", async () => {
      const { minter } = await loadFixture(oneDayEpochFixture);
      const budgets = await Promise.all(Array.from({ length: 10 }, (_, y) => minter.yearBudget(y)));
      expect(budgets).to.deep.equal(YEAR_BUDGETS);
      expect(YEAR_BUDGETS[0]).to.equal(5_000_000n * 10n ** 18n);
      expect(YEAR_BUDGETS[9]).to.equal(500_000n * 10n ** 18n);
      for (const y of [10n, 42n, 2n ** 256n - 1n]) expect(await minter.yearBudget(y)).to.equal(0n);
    });

    it("has emitted exactly the cumulative budget at the end of each year", async () => {
      const { minter, genesisTime } = await loadFixture(oneDayEpochFixture);
      for (let y = 0; y < 10; y++) {
        expect(await minter.emitted(genesisTime + BigInt(y + 1) * YEAR)).to.equal(CUMULATIVE_AFTER_YEAR[y]);
      }
      expect(CUMULATIVE_AFTER_YEAR[9]).to.equal(TOTAL_EMISSION);
    });

    it("emits nothing before genesis and nothing more after year 10", async () => {
      const { minter, genesisTime } = await loadFixture(oneDayEpochFixture);
      for (const t of [0n, 1n, genesisTime - 1n, genesisTime]) expect(await minter.emitted(t)).to.equal(0n);
      for (const t of [genesisTime + 10n * YEAR, genesisTime + 10n * YEAR + 1n, genesisTime + 100n * YEAR]) {
        expect(await minter.emitted(t)).to.equal(TOTAL_EMISSION);
      }
      expect(await minter.emitted(2n ** 256n - 1n)).to.equal(TOTAL_EMISSION);
    });

    it("is exact one second before, at and after every year boundary (mixed-rate arithmetic)", async () => {
      const { minter, genesisTime } = await loadFixture(oneDayEpochFixture);
      for (let y = 1; y <= 10; y++) {
        const boundary = genesisTime + BigInt(y) * YEAR;
        const previousBudget = YEAR_BUDGETS[y - 1];
        const nextBudget = y < 10 ? YEAR_BUDGETS[y] : 0n;
        const [before, at, after] = await Promise.all([
          minter.emitted(boundary - 1n),
          minter.emitted(boundary),
          minter.emitted(boundary + 1n),
        ]);
        // The last second of year y-1 completes its budget (the floored remainder rounds up that second)...
        expect(at).to.equal(CUMULATIVE_AFTER_YEAR[y - 1]);
        expect(at - before).to.equal(ceilDiv(previousBudget, YEAR));
        // ...and the first second of year y accrues at the new rate.
        expect(after - at).to.equal(nextBudget / YEAR);
        expect(before).to.equal(referenceEmitted(BigInt(y) * YEAR - 1n));
        expect(after).to.equal(referenceEmitted(BigInt(y) * YEAR + 1n));
      }
    });

    it("accrues linearly within a year, floored to the wei", async () => {
      const { minter, genesisTime } = await loadFixture(oneDayEpochFixture);
      const halfYear = YEAR / 2n;
      expect(await minter.emitted(genesisTime + halfYear)).to.equal(2_500_000n * 10n ** 18n);
      expect(await minter.emitted(genesisTime + 1n)).to.equal(YEAR_BUDGETS[0] / YEAR);
      const t = 3n * YEAR + 12_345_678n;
      expect(await minter.emitted(genesisTime + t)).to.equal(
        CUMULATIVE_AFTER_YEAR[2] + (YEAR_BUDGETS[3] * 12_345_678n) / YEAR,
      );
    });

    it("sums the 365 one-day epochs of each year to exactly its budget, and all 3,650 to 27.5M MSN", async () => {
      const { minter } = await loadFixture(oneDayEpochFixture);
      let total = 0n;
      for (let y = 0n; y < 10n; y++) {
        const sum = await sumEpochEmission(minter, y * 365n, (y + 1n) * 365n);
        expect(sum).to.equal(YEAR_BUDGETS[Number(y)]);
        total += sum;
      }
      expect(total).to.equal(TOTAL_EMISSION);
      expect(await sumEpochEmission(minter, 3_650n, 3_700n)).to.equal(0n);
      expect(await minter.epochEmission(2n ** 256n - 1n)).to.equal(0n);
    });

    it("gives every one-day epoch its exact share: emitted(end) - emitted(start)", async () => {
      const { minter, genesisTime } = await loadFixture(oneDayEpochFixture);
      for (const e of [0n, 1n, 182n, 364n, 365n, 366n, 1_000n, 3_284n, 3_285n, 3_649n]) {
        expect(await minter.epochEmission(e)).to.equal(
          referenceEmitted((e + 1n) * DAY) - referenceEmitted(e * DAY),
          `epoch ${e}`,
        );
        expect(await minter.epochEmission(e)).to.equal(
          (await minter.emitted(genesisTime + (e + 1n) * DAY)) -
            (await minter.emitted(genesisTime + e * DAY)),
        );
      }
    });

    it("gives the 5-day epochs that end and start each year exactly the right amounts", async () => {
      const { minter } = await loadFixture(fiveDayEpochFixture);
      const len = 5n * DAY;
      expect(await minter.EMISSION_EPOCHS()).to.equal(730n);
      for (let y = 1n; y <= 10n; y++) {
        const lastOfYear = 73n * y - 1n;
        const firstOfNext = 73n * y;
        expect(await minter.epochStart(firstOfNext)).to.equal((await minter.GENESIS_TIME()) + y * YEAR);
        // The last epoch of year y-1 closes its budget exactly.
        expect(await minter.epochEmission(lastOfYear)).to.equal(
          CUMULATIVE_AFTER_YEAR[Number(y) - 1] - referenceEmitted(y * YEAR - len),
        );
        // The first epoch of year y is paid entirely at year y's rate.
        const nextBudget = y < 10n ? YEAR_BUDGETS[Number(y)] : 0n;
        expect(await minter.epochEmission(firstOfNext)).to.equal((nextBudget * len) / YEAR);
      }
      for (let y = 0n; y < 10n; y++) {
        expect(await sumEpochEmission(minter, 73n * y, 73n * (y + 1n))).to.equal(YEAR_BUDGETS[Number(y)]);
      }
    });

    it("numbers epochs from genesis", async () => {
      const { minter, genesisTime } = await loadFixture(oneDayEpochFixture);
      expect(await minter.epochOf(0n)).to.equal(0n);
      expect(await minter.epochOf(genesisTime - 1n)).to.equal(0n);
      expect(await minter.epochOf(genesisTime)).to.equal(0n);
      expect(await minter.epochOf(genesisTime + DAY - 1n)).to.equal(0n);
      expect(await minter.epochOf(genesisTime + DAY)).to.equal(1n);
      expect(await minter.epochOf(genesisTime + 10n * YEAR)).to.equal(3_650n);
      expect(await minter.epochStart(0n)).to.equal(genesisTime);
      expect(await minter.epochStart(365n)).to.equal(genesisTime + YEAR);
      expect(await minter.endedEpochs()).to.equal(0n);
      await time.increaseTo(genesisTime + DAY - 1n);
      expect(await minter.endedEpochs()).to.equal(0n);
      await time.increaseTo(genesisTime + DAY);
      expect(await minter.endedEpochs()).to.equal(1n);
    });
  });

  describe("mint", () => {
    it("mints nothing and does not revert before genesis or before the first epoch ends", async () => {
      const { token, minter, genesisTime } = await loadFixture(oneDayEpochFixture);
      for (const t of [genesisTime - 10n, genesisTime, genesisTime + DAY - 1n]) {
        await time.setNextBlockTimestamp(t);
        await expect(minter.mint()).not.to.emit(minter, "EmissionMinted");
        expect(await minter.mint.staticCall()).to.equal(0n);
        const [upkeepNeeded, performData] = await minter.checkUpkeep("0x");
        expect(upkeepNeeded).to.equal(false);
        expect(performData).to.equal("0x");
      }
      expect(await minter.mintedThroughEpoch()).to.equal(0n);
      expect(await token.totalSupply()).to.equal(GENESIS_SUPPLY);
    });

    it("reverts performUpkeep with nothing due, naming the cursor and the ended epochs", async () => {
      const { minter, genesisTime } = await loadFixture(oneDayEpochFixture);
      await expect(minter.performUpkeep("0x"))
        .to.be.revertedWithCustomError(minter, "EmissionNothingToMint")
        .withArgs(0n, 0n);
      await mintAt(minter, genesisTime + 3n * DAY + 5n);
      await time.setNextBlockTimestamp(genesisTime + 4n * DAY - 1n);
      await expect(minter.performUpkeep("0x"))
        .to.be.revertedWithCustomError(minter, "EmissionNothingToMint")
        .withArgs(3n, 3n);
    });

    it("mints the first epoch to the recipient the second it ends", async () => {
      const { token, minter, distributor, genesisTime } = await loadFixture(oneDayEpochFixture);
      const expected = referenceEmitted(DAY);
      await time.setNextBlockTimestamp(genesisTime + DAY);
      await expect(minter.mint())
        .to.emit(minter, "EmissionMinted")
        .withArgs(0n, 1n, distributor.address, expected)
        .and.to.emit(token, "Transfer")
        .withArgs(ethers.ZeroAddress, distributor.address, expected);
      expect(expected).to.equal(YEAR_BUDGETS[0] / 365n);
      expect(await token.balanceOf(distributor.address)).to.equal(expected);
      expect(await minter.mintedThroughEpoch()).to.equal(1n);
      expect(await minter.totalMinted()).to.equal(expected);
    });

    it("mints every missed epoch at once, and nothing more within the same epoch", async () => {
      const { token, minter, distributor, genesisTime, keeper } = await loadFixture(oneDayEpochFixture);
      await mintAt(minter, genesisTime + DAY + 7n);
      const first = await token.balanceOf(distributor.address);
      await time.setNextBlockTimestamp(genesisTime + 40n * DAY + 100n);
      const amount = referenceEmitted(40n * DAY) - first;
      await expect(minter.connect(keeper).mint())
        .to.emit(minter, "EmissionMinted")
        .withArgs(1n, 40n, distributor.address, amount);
      await time.setNextBlockTimestamp(genesisTime + 41n * DAY - 1n);
      await expect(minter.connect(keeper).mint()).not.to.emit(minter, "EmissionMinted");
      expect(await token.balanceOf(distributor.address)).to.equal(referenceEmitted(40n * DAY));
      expect(await minter.totalMinted()).to.equal(referenceEmitted(40n * DAY));
      expect(await minter.mintedThroughEpoch()).to.equal(40n);
    });

    it("returns the amount it minted", async () => {
      const { minter, genesisTime } = await loadFixture(oneDayEpochFixture);
      await time.increaseTo(genesisTime + 3n * DAY);
      expect(await minter.mint.staticCall()).to.equal(referenceEmitted(3n * DAY));
    });

    it("lets Chainlink Automation drive it: checkUpkeep finds the due epochs, performUpkeep mints them", async () => {
      const { token, minter, distributor, genesisTime, keeper } = await loadFixture(oneDayEpochFixture);
      await time.increaseTo(genesisTime + 2n * DAY + 1n);
      const [upkeepNeeded, performData] = await minter.checkUpkeep("0x1234");
      expect(upkeepNeeded).to.equal(true);
      expect(performData).to.equal("0x");
      await expect(minter.connect(keeper).performUpkeep("0xdeadbeef"))
        .to.emit(minter, "EmissionMinted")
        .withArgs(0n, 2n, distributor.address, referenceEmitted(2n * DAY));
      expect(await token.balanceOf(distributor.address)).to.equal(referenceEmitted(2n * DAY));
      expect((await minter.checkUpkeep("0x"))[0]).to.equal(false);
    });

    it("changes nothing when the token refuses to mint", async () => {
      const [, distributor, treasury, , admin] = await ethers.getSigners();
      const token = await ethers.deployContract("MSNToken", [
        [treasury.address],
        [GENESIS_SUPPLY],
        admin.address,
      ]);
      const genesis = BigInt(await time.latest()) + 10n;
      const minter = await ethers.deployContract("EmissionMinter", [
        await token.getAddress(),
        distributor.address,
        genesis,
        DAY,
      ]);
      await time.setNextBlockTimestamp(genesis + 2n * DAY);
      await expect(minter.mint())
        .to.be.revertedWithCustomError(token, "MSNUnauthorizedMinter")
        .withArgs(await minter.getAddress());
      expect(await minter.mintedThroughEpoch()).to.equal(0n);
    });

    it("stops at 27.5M MSN: after the schedule it only advances the cursor and keepers stop", async () => {
      const { token, minter, distributor, genesisTime } = await loadFixture(oneDayEpochFixture);
      await mintAt(minter, genesisTime + 10n * YEAR - 1n);
      expect(await minter.mintedThroughEpoch()).to.equal(3_649n);
      expect((await minter.checkUpkeep("0x"))[0]).to.equal(false);
      await time.increaseTo(genesisTime + 10n * YEAR);
      expect((await minter.checkUpkeep("0x"))[0]).to.equal(true);
      await expect(minter.performUpkeep("0x"))
        .to.emit(minter, "EmissionMinted")
        .withArgs(3_649n, 3_650n, distributor.address, YEAR_BUDGETS[9] - (YEAR_BUDGETS[9] * 364n) / 365n);
      expect(await token.totalSupply()).to.equal(MAX_SUPPLY);
      expect(await minter.totalMinted()).to.equal(TOTAL_EMISSION);

      await time.increaseTo(genesisTime + 10n * YEAR + 30n * DAY);
      expect((await minter.checkUpkeep("0x"))[0]).to.equal(false);
      await expect(minter.performUpkeep("0x"))
        .to.be.revertedWithCustomError(minter, "EmissionNothingToMint")
        .withArgs(3_650n, 3_680n);
      await expect(minter.mint())
        .to.emit(minter, "EmissionMinted")
        .withArgs(3_650n, 3_680n, distributor.address, 0n)
        .and.not.to.emit(token, "Transfer");
      expect(await minter.mintedThroughEpoch()).to.equal(3_680n);
      expect(await minter.totalMinted()).to.equal(TOTAL_EMISSION);
      expect(await token.totalSupply()).to.equal(MAX_SUPPLY);
    });

    it("with the real token, never lets the supply pass 127.5M MSN and ends exactly there", async () => {
      const { token, minter, distributor, genesisTime } = await loadFixture(oneDayEpochFixture);
      let t = genesisTime + 17n;
      let previous = GENESIS_SUPPLY;
      // Uneven steps (about 97 days) cross every year boundary at a different offset, up to year 13,
      // then three jumps far beyond the schedule.
      const times: bigint[] = [];
      while (t < genesisTime + 13n * YEAR) {
        times.push(t);
        t += 97n * DAY + 12_345n;
      }
      times.push(genesisTime + 50n * YEAR, genesisTime + 200n * YEAR, genesisTime + 1_000n * YEAR + 3n);
      for (const at of times) {
        await mintAt(minter, at);
        const supply = await token.totalSupply();
        const ended = (at - genesisTime) / DAY;
        expect(supply).to.be.lte(MAX_SUPPLY);
        expect(supply).to.be.gte(previous);
        expect(supply - GENESIS_SUPPLY).to.equal(referenceEmitted(ended * DAY));
        expect(await token.balanceOf(distributor.address)).to.equal(supply - GENESIS_SUPPLY);
        previous = supply;
      }
      expect(await token.totalSupply()).to.equal(MAX_SUPPLY);
      expect(await token.balanceOf(distributor.address)).to.equal(TOTAL_EMISSION);
    });
  });

  describe("properties", () => {
    it("keeps cumulative minted equal to emitted(end of the last ended epoch) for random mint sequences", async () => {
      const { minter, token, distributor, genesisTime, epochLength } = await loadFixture(oneDayEpochFixture);
      const signers = await ethers.getSigners();
      const gap = fc.oneof(
        fc.bigInt(1n, DAY - 1n), // within an epoch
        fc.bigInt(DAY, 12n * DAY), // one to a dozen epochs
        fc.bigInt(30n * DAY, 2n * YEAR), // many epochs missed, across year boundaries
        fc.bigInt(3n * YEAR, 11n * YEAR), // to and beyond the end of the schedule
      );
      const step = fc.record({ gap, mintsInBlock: fc.integer({ min: 1, max: 3 }) });
      await fc.assert(
        fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 5 }), async (steps) => {
          await loadFixture(oneDayEpochFixture);
          let now = BigInt(await time.latest());
          for (const { gap: dt, mintsInBlock } of steps) {
            now += dt;
            const before = await token.balanceOf(distributor.address);
            await network.provider.send("evm_setAutomine", [false]);
            const txs = [];
            try {
              for (let i = 0; i < mintsInBlock; i++) {
                txs.push(await minter.connect(signers[4 + i]).mint({ gasLimit: MINT_GAS_LIMIT }));
              }
              await network.provider.send("evm_mine", [Number(now)]);
            } finally {
              await network.provider.send("evm_setAutomine", [true]);
            }
            const receipts = await Promise.all(txs.map((tx) => tx.wait()));
            expect(new Set(receipts.map((r) => r?.blockNumber)).size).to.equal(1);

            const ended = now > genesisTime ? (now - genesisTime) / epochLength : 0n;
            const expected = referenceEmitted(ended * epochLength);
            const balance = await token.balanceOf(distributor.address);
            expect(balance).to.equal(expected);
            expect(balance).to.equal(await minter.emitted(genesisTime + ended * epochLength));
            expect(await minter.totalMinted()).to.equal(balance);
            expect(await minter.mintedThroughEpoch()).to.equal(ended);
            // The first mint of the block carries everything due; the others find nothing left.
            const minted = receipts.map((r) =>
              r!.logs
                .map((log) => minter.interface.parseLog(log))
                .filter((parsed) => parsed?.name === "EmissionMinted")
                .reduce((sum, parsed) => sum + (parsed!.args.amount as bigint), 0n),
            );
            expect(minted.reduce((a, b) => a + b, 0n)).to.equal(balance - before);
            for (const later of minted.slice(1)) expect(later).to.equal(0n);
          }
        }),
        { seed: SEED, numRuns: 200 },
      );
    });

    it("sums epochEmission over any range to the difference of emitted at its ends, for any epoch length", async () => {
      const { minters } = await loadFixture(epochLengthsFixture);
      const genesis = await minters[0].minter.GENESIS_TIME();
      const range = fc
        .record({
          which: fc.integer({ min: 0, max: minters.length - 1 }),
          position: fc.oneof(
            fc.double({ min: 0, max: 1.01, noNaN: true }), // anywhere, including after the schedule
            fc.integer({ min: 1, max: 10 }), // at a year boundary
          ),
          offset: fc.integer({ min: -12, max: 12 }),
          length: fc.integer({ min: 1, max: 12 }),
        })
        .map(({ which, position, offset, length }) => {
          const { minter, epochLength } = minters[which];
          const perYear = YEAR / epochLength;
          const anchor =
            typeof position === "number" && Number.isInteger(position)
              ? BigInt(position) * perYear
              : BigInt(Math.floor(position * Number(10n * perYear)));
          const shifted = anchor + BigInt(offset);
          const from = shifted < 0n ? 0n : shifted;
          return { minter, epochLength, from, to: from + BigInt(length) };
        });
      await fc.assert(
        fc.asyncProperty(range, async ({ minter, epochLength, from, to }) => {
          const [sum, atFrom, atTo] = await Promise.all([
            sumEpochEmission(minter, from, to),
            minter.emitted(genesis + from * epochLength),
            minter.emitted(genesis + to * epochLength),
          ]);
          expect(sum).to.equal(atTo - atFrom);
          expect(sum).to.equal(referenceEmitted(to * epochLength) - referenceEmitted(from * epochLength));
        }),
        { seed: SEED, numRuns: 300 },
      );
    });
  });

  describe("gas", () => {
    /** Gas of a mint covering `missed` epochs; `after` epochs were minted first (0: the very first mint). */
    async function gasOfMint(after: bigint, missed: bigint): Promise<bigint> {
      const { minter, genesisTime } = await loadFixture(oneDayEpochFixture);
      if (after > 0n) await mintAt(minter, genesisTime + after * DAY);
      const receipt = await mintAt(minter, genesisTime + (after + missed) * DAY);
      expect(await minter.mintedThroughEpoch()).to.equal(after + missed);
      return receipt.gasUsed;
    }

    function expectWithinFivePercent(a: bigint, b: bigint): void {
      const diff = a > b ? a - b : b - a;
      expect(diff * 100n).to.be.lte(a * 5n, `${a} vs ${b}`);
    }

    it("costs the same to mint 1 or 1,000 missed epochs (within 5%)", async () => {
      const firstOne = await gasOfMint(0n, 1n);
      const firstThousand = await gasOfMint(0n, 1_000n);
      const firstAll = await gasOfMint(0n, 3_650n);
      const nextOne = await gasOfMint(10n, 1n);
      const nextThousand = await gasOfMint(10n, 1_000n);
      console.log(
        `      first mint() gas: 1 missed epoch ${firstOne}, 1,000 missed ${firstThousand}, all 3,650 ${firstAll}`,
      );
      console.log(`      later mint() gas: 1 missed epoch ${nextOne}, 1,000 missed ${nextThousand}`);
      expectWithinFivePercent(firstOne, firstThousand);
      expectWithinFivePercent(firstOne, firstAll);
      expectWithinFivePercent(nextOne, nextThousand);
    });
  });
});
