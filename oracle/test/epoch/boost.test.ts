import { expect } from "chai";
import { BPS, EpochInputError, boostBps } from "../../src/epoch/index.js";
import { FC, MSN, fc } from "./helpers.js";

/** The SPEC §4 formula transcribed literally, as the reference. */
function reference(stake: bigint, n: bigint, maxBoostBps: bigint, full: bigint): bigint {
  if (n === 0n) return 10_000n;
  const cap = full * n;
  const s = stake < cap ? stake : cap;
  return 10_000n + ((maxBoostBps - 10_000n) * s) / cap;
}

const params = { maxBoostBps: 20_000n, fullStakePerNode: 1_000n * MSN };

describe("epoch/boost", () => {
  it("gives 1x without stake and without nodes", () => {
    expect(boostBps(0n, 3, params)).to.equal(BPS);
    expect(boostBps(10_000n * MSN, 0, params)).to.equal(BPS);
  });

  it("gives the full boost at full stake and caps it above", () => {
    expect(boostBps(1_000n * MSN, 1, params)).to.equal(20_000n);
    expect(boostBps(3_000n * MSN, 3, params)).to.equal(20_000n);
    expect(boostBps(1_000_000n * MSN, 3, params)).to.equal(20_000n);
  });

  it("scales linearly and rounds down with partial stake", () => {
    expect(boostBps(500n * MSN, 1, params)).to.equal(15_000n);
    expect(boostBps(500n * MSN, 2, params)).to.equal(12_500n);
    // 1 wei below full stake: floor(10000 * (F - 1) / F) = 9999
    expect(boostBps(1_000n * MSN - 1n, 1, params)).to.equal(19_999n);
    expect(boostBps(1n, 1, params)).to.equal(10_000n);
  });

  it("matches the reference formula on random stakes, node counts and parameters", () => {
    const stake = fc.oneof(
      fc.constant(0n),
      fc.bigInt({ min: 1n, max: 10n ** 30n }),
      fc.bigInt({ min: 0n, max: 10_000n * MSN }),
    );
    fc.assert(
      fc.property(
        stake,
        fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 0, max: 1_000_000 })),
        fc.bigInt({ min: 10_000n, max: 100_000n }),
        fc.oneof(fc.constant(1n), fc.bigInt({ min: 1n, max: 10n ** 24n })),
        (s, n, max, full) => {
          const p = { maxBoostBps: max, fullStakePerNode: full };
          const want = reference(s, BigInt(n), max, full);
          expect(boostBps(s, n, p)).to.equal(want);
          expect(boostBps(s, BigInt(n), p)).to.equal(want);
          // Exactly full stake, and over-full stake, give the maximum.
          if (n > 0) {
            expect(boostBps(full * BigInt(n), n, p)).to.equal(max);
            expect(boostBps(full * BigInt(n) + s, n, p)).to.equal(max);
          }
        },
      ),
      FC,
    );
  });

  it("rejects parameters the chain cannot hold", () => {
    expect(() => boostBps(0n, 1, { maxBoostBps: 9_999n, fullStakePerNode: 1n })).to.throw(
      EpochInputError,
      /maxBoostBps/,
    );
    expect(() => boostBps(0n, 1, { maxBoostBps: 20_000n, fullStakePerNode: 0n })).to.throw(
      EpochInputError,
      /fullStakePerNode/,
    );
    expect(() => boostBps(-1n, 1, params)).to.throw(EpochInputError, /stake/);
    expect(() => boostBps(0n, -1, params)).to.throw(EpochInputError, /nodeCount/);
  });
});
