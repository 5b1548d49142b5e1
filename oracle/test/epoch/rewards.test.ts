import { expect } from "chai";
import {
  BPS,
  EpochInputError,
  type EpochRewardsInput,
  type NodeTraffic,
  boostBps,
  computeEpochRewards,
  computeEpochRewardsSorted,
} from "../../src/epoch/index.js";
import { BOOST, CAP, FC, MSN, Rng, addr, fc, randomInput } from "./helpers.js";

function input(partial: Partial<EpochRewardsInput>): EpochRewardsInput {
  return {
    nodes: [],
    nodeCapBytes: CAP,
    stakes: new Map(),
    boostParams: BOOST,
    emission: 1_000_000n,
    carryIn: 0n,
    previousCumulative: new Map(),
    ...partial,
  };
}

/** A random epoch as a fast-check arbitrary: operators, nodes, stakes, history, emission and carry. */
const epochArb = fc
  .record({
    seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
    operators: fc.integer({ min: 0, max: 30 }),
    emission: fc.oneof(
      fc.constant(0n),
      fc.bigInt({ min: 0n, max: 10n ** 26n }),
      fc.bigInt({ min: 0n, max: 1_000n }),
    ),
    carryIn: fc.bigInt({ min: 0n, max: 10n ** 20n }),
    cap: fc.bigInt({ min: 1n, max: 3_000_000n }),
  })
  .map(({ seed, operators, emission, carryIn, cap }) => ({
    ...randomInput(seed, operators),
    emission,
    carryIn,
    nodeCapBytes: cap,
  }));

/** The epoch arithmetic written the plain way (maps and string sorts): the reference for the fast version. */
function referenceRewards(input: EpochRewardsInput) {
  const cap = input.nodeCapBytes;
  const perOperator = new Map<string, { nodes: number; capped: bigint }>();
  for (const n of input.nodes) {
    if (n.bytes === 0n) continue;
    const op = n.operator.toLowerCase();
    const acc = perOperator.get(op) ?? { nodes: 0, capped: 0n };
    acc.nodes += 1;
    acc.capped += n.bytes < cap ? n.bytes : cap;
    perOperator.set(op, acc);
  }
  const previous = new Map([...input.previousCumulative].map(([k, v]) => [k.toLowerCase(), v]));
  const stakes = new Map([...input.stakes].map(([k, v]) => [k.toLowerCase(), v]));
  const accounts = [
    ...new Set([...perOperator.keys(), ...[...previous].filter(([, v]) => v > 0n).map(([k]) => k)]),
  ].sort();
  const weights = accounts.map((a) => {
    const acc = perOperator.get(a);
    return acc === undefined ? 0n : acc.capped * boostBps(stakes.get(a)!, acc.nodes, input.boostParams);
  });
  const W = weights.reduce((x, y) => x + y, 0n);
  const E = input.emission + input.carryIn;
  const rewards = weights.map((w) => (W === 0n ? 0n : (E * w) / W));
  return {
    accounts,
    cumulative: accounts.map((a, i) => (previous.get(a) ?? 0n) + rewards[i]!),
    carryOut: E - rewards.reduce((x, y) => x + y, 0n),
  };
}

const SEED_SORTED = 99;

describe("epoch/rewards", () => {
  it("agrees with a plain reference implementation, with shared address prefixes and mixed letter case", () => {
    const pool = fc.constantFrom(
      "0x00000000aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
      "0x00000000aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab",
      "0x00000000AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAC",
      "0x00000001000000000000000000000000000000aa",
      "0xffffffff00000000000000000000000000000000",
      "0xfffffffe00000000000000000000000000000001",
      "0x1234567890abcdef1234567890abcdef12345678",
    );
    const epoch = fc
      .record({
        nodes: fc.uniqueArray(
          fc.record({
            node: fc
              .integer({ min: 0, max: 0xffff })
              .map((n) => `0x${"0".repeat(8)}${n.toString(16).padStart(32, "0")}`),
            operator: pool,
            bytes: fc.oneof(fc.constant(0n), fc.bigInt({ min: 0n, max: 3_000n })),
          }),
          { selector: (n) => n.node, maxLength: 25 },
        ),
        stakes: fc.array(fc.bigInt({ min: 0n, max: 3_000n * MSN }), { minLength: 7, maxLength: 7 }),
        previous: fc.array(fc.tuple(pool, fc.bigInt({ min: 0n, max: 10n ** 20n })), { maxLength: 5 }),
        emission: fc.bigInt({ min: 0n, max: 10n ** 24n }),
        carryIn: fc.bigInt({ min: 0n, max: 100n }),
      })
      .map(({ nodes, stakes, previous, emission, carryIn }) => {
        const addresses = [...new Set(nodes.map((n) => n.operator.toLowerCase()))];
        const previousCumulative = new Map<string, bigint>();
        for (const [a, v] of previous) previousCumulative.set(a.toLowerCase(), v); // one spelling per account
        return {
          nodes,
          nodeCapBytes: 2_000n,
          stakes: new Map(addresses.map((a, i) => [a, stakes[i]!])),
          boostParams: BOOST,
          emission,
          carryIn,
          previousCumulative,
        } satisfies EpochRewardsInput;
      });
    fc.assert(
      fc.property(epoch, (input) => {
        const want = referenceRewards(input);
        const got = computeEpochRewards(input);
        expect(got.operators.map((o) => o.operator)).to.deep.equal(want.accounts);
        expect(got.operators.map((o) => o.cumulative)).to.deep.equal(want.cumulative);
        expect(got.carryOut).to.equal(want.carryOut);
      }),
      FC,
    );
  });

  describe("conservation and proportionality (property-based, fixed seed)", () => {
    it("pays out exactly emission + carryIn: Σ rewards + carryOut", () => {
      fc.assert(
        fc.property(epochArb, (epoch) => {
          const r = computeEpochRewards(epoch);
          const paid = r.operators.reduce((sum, o) => sum + o.reward, 0n);
          expect(paid).to.equal(r.totalReward);
          expect(paid + r.carryOut).to.equal(epoch.emission + epoch.carryIn);
          expect(r.distributable).to.equal(epoch.emission + epoch.carryIn);
        }),
        FC,
      );
    });

    it("pays no negative reward and keeps every reward within 1 wei below its exact share", () => {
      fc.assert(
        fc.property(epochArb, (epoch) => {
          const r = computeEpochRewards(epoch);
          const E = epoch.emission + epoch.carryIn;
          const W = r.operators.reduce((sum, o) => sum + o.weight, 0n);
          expect(W).to.equal(r.totalWeight);
          for (const o of r.operators) {
            expect(o.reward >= 0n).to.equal(true);
            if (W === 0n) {
              expect(o.reward).to.equal(0n);
              continue;
            }
            // exact share = E·w/W; floor: reward·W <= E·w < (reward + 1)·W
            expect(o.reward * W <= E * o.weight).to.equal(true);
            expect(E * o.weight < (o.reward + 1n) * W).to.equal(true);
          }
          // The carry is less than one wei per operator with weight.
          const weighted = BigInt(r.operators.filter((o) => o.weight > 0n).length);
          expect(W === 0n ? r.carryOut === E : r.carryOut < (weighted === 0n ? 1n : weighted)).to.equal(true);
        }),
        FC,
      );
    });

    it("adds each reward to the previous cumulative and totals the tree", () => {
      fc.assert(
        fc.property(epochArb, (epoch) => {
          const r = computeEpochRewards(epoch);
          let total = 0n;
          for (const o of r.operators) {
            const prev = epoch.previousCumulative.get(o.operator) ?? 0n;
            expect(o.previousCumulative).to.equal(prev);
            expect(o.cumulative).to.equal(prev + o.reward);
            total += o.cumulative;
          }
          expect(r.total).to.equal(total);
          // Every earlier earner is still in the tree, with at least its previous amount.
          for (const [account, amount] of epoch.previousCumulative) {
            if (amount === 0n) continue;
            const row = r.operators.find((o) => o.operator === account);
            expect(row, account).to.not.equal(undefined);
            expect(row!.cumulative >= amount).to.equal(true);
          }
        }),
        FC,
      );
    });

    it("caps every node, sums per operator, and boosts from the snapshot stake with n = nodes with traffic", () => {
      fc.assert(
        fc.property(epochArb, (epoch) => {
          const r = computeEpochRewards(epoch);
          for (const n of r.nodes) {
            expect(n.bytes > 0n).to.equal(true);
            expect(n.cappedBytes).to.equal(n.bytes < epoch.nodeCapBytes ? n.bytes : epoch.nodeCapBytes);
          }
          for (const o of r.operators) {
            const own = epoch.nodes.filter((n) => n.operator === o.operator && n.bytes > 0n);
            expect(o.nodes).to.equal(own.length);
            const capped = own.reduce(
              (s, n) => s + (n.bytes < epoch.nodeCapBytes ? n.bytes : epoch.nodeCapBytes),
              0n,
            );
            expect(o.cappedBytes).to.equal(capped);
            if (own.length === 0) {
              expect(o.stake).to.equal(null);
              expect(o.boostBps).to.equal(BPS);
              expect(o.weight).to.equal(0n);
            } else {
              expect(o.stake).to.equal(epoch.stakes.get(o.operator));
              expect(o.boostBps).to.equal(boostBps(o.stake!, own.length, epoch.boostParams));
              expect(o.weight).to.equal(capped * o.boostBps);
            }
          }
        }),
        FC,
      );
    });

    it("accounts for every emitted wei across chained epochs: total + carryOut = Σ emission", () => {
      fc.assert(
        fc.property(fc.array(epochArb, { minLength: 1, maxLength: 6 }), (epochs) => {
          let previousCumulative = new Map<string, bigint>();
          let carry = 0n;
          let emitted = 0n;
          for (const epoch of epochs) {
            const r = computeEpochRewards({ ...epoch, carryIn: carry, previousCumulative });
            emitted += epoch.emission;
            expect(r.total + r.carryOut).to.equal(emitted);
            previousCumulative = new Map(r.operators.map((o) => [o.operator, o.cumulative]));
            carry = r.carryOut;
          }
        }),
        { ...FC, numRuns: 60 },
      );
    });

    it("orders rows by address and does not depend on the input order", () => {
      fc.assert(
        fc.property(epochArb, fc.integer(), (epoch, shuffleSeed) => {
          const rng = new Rng(shuffleSeed);
          const nodes = [...epoch.nodes];
          for (let i = nodes.length - 1; i > 0; i--) {
            const j = rng.int(i + 1);
            [nodes[i], nodes[j]] = [nodes[j]!, nodes[i]!];
          }
          const a = computeEpochRewards(epoch);
          const b = computeEpochRewards({ ...epoch, nodes });
          expect(b).to.deep.equal(a);
          const ops = a.operators.map((o) => o.operator);
          expect(ops).to.deep.equal([...ops].sort());
          const ns = a.nodes.map((n) => n.node);
          expect(ns).to.deep.equal([...ns].sort());
        }),
        { ...FC, numRuns: 50 },
      );
    });
  });

  it("gives the same result with the previous amounts as sorted arrays, and validates those arrays", () => {
    for (let seed = 1; seed <= 20; seed++) {
      const input = randomInput(seed, 30);
      const entries = [...input.previousCumulative]
        .map(([a, v]) => [a.toLowerCase(), v] as const)
        .filter(([, v]) => v > 0n)
        .sort((x, y) => (x[0] < y[0] ? -1 : 1));
      const { previousCumulative: _ignored, ...rest } = input;
      const sorted = computeEpochRewardsSorted(rest, {
        addresses: entries.map((e) => e[0] as `0x${string}`),
        amounts: entries.map((e) => e[1]),
      });
      expect(sorted).to.deep.equal(computeEpochRewards(input));
    }
    const { previousCumulative: _unused, ...rest } = randomInput(SEED_SORTED, 3);
    const bad: [`0x${string}`[], bigint[], RegExp][] = [
      [[addr(2), addr(1)], [1n, 1n], /strictly ascending \(at index 1\)/],
      [[addr(1), addr(1)], [1n, 1n], /strictly ascending/],
      [[`0x${"AB".repeat(20)}`], [1n], /not a lowercase address/],
      [[addr(1)], [0n], /expected a uint256 bigint > 0/],
      [[addr(1)], [], /equal-length arrays/],
    ];
    for (const [addresses, amounts, message] of bad) {
      expect(() => computeEpochRewardsSorted(rest, { addresses, amounts })).to.throw(
        EpochInputError,
        message,
      );
    }
  });

  it("carries everything in an epoch without traffic and keeps earlier earners claimable", () => {
    const previousCumulative = new Map([
      [addr(2), 70n],
      [addr(1), 30n],
      [addr(3), 0n],
    ]);
    const r = computeEpochRewards(
      input({
        nodes: [{ node: addr(100), operator: addr(1), bytes: 0n }],
        emission: 500n,
        carryIn: 7n,
        previousCumulative,
      }),
    );
    expect(r.nodes).to.deep.equal([]);
    expect(r.totalWeight).to.equal(0n);
    expect(r.carryOut).to.equal(507n);
    expect(r.operators.map((o) => [o.operator, o.reward, o.cumulative])).to.deep.equal([
      [addr(1), 0n, 30n],
      [addr(2), 0n, 70n],
    ]);
    expect(r.total).to.equal(100n);
  });

  it("gives one operator with traffic everything, carrying nothing", () => {
    const r = computeEpochRewards(
      input({
        nodes: [
          { node: addr(100), operator: addr(1), bytes: 5n },
          { node: addr(101), operator: addr(1), bytes: 3n },
        ],
        stakes: new Map([[addr(1), 123n * MSN]]),
        emission: 999_999_999_999n,
        carryIn: 1n,
        previousCumulative: new Map([[addr(2), 4n]]),
      }),
    );
    expect(r.carryOut).to.equal(0n);
    expect(r.operators[0]).to.include({ operator: addr(1), nodes: 2, reward: 1_000_000_000_000n });
    expect(r.operators[1]).to.include({ operator: addr(2), reward: 0n, cumulative: 4n });
  });

  it("splits pro rata to capped bytes times boost and carries the rounding dust", () => {
    // a: 2 nodes, one capped (cap 100): 100 + 50 = 150 bytes, stake 1000 MSN for 2 nodes -> 15000 bps
    // b: 100 bytes, full stake -> 20000 bps; c: 1 byte, no stake -> 10000 bps
    const r = computeEpochRewards(
      input({
        nodeCapBytes: 100n,
        nodes: [
          { node: addr(11), operator: addr(0xa), bytes: 400n },
          { node: addr(12), operator: addr(0xa), bytes: 50n },
          { node: addr(13), operator: addr(0xb), bytes: 100n },
          { node: addr(14), operator: addr(0xc), bytes: 1n },
        ],
        stakes: new Map([
          [addr(0xa), 1_000n * MSN],
          [addr(0xb), 5_000n * MSN],
          [addr(0xc), 0n],
        ]),
        emission: 1_000n,
        carryIn: 1n,
      }),
    );
    const [a, b, c] = r.operators;
    expect([a!.cappedBytes, a!.boostBps, a!.weight]).to.deep.equal([150n, 15_000n, 2_250_000n]);
    expect([b!.cappedBytes, b!.boostBps, b!.weight]).to.deep.equal([100n, 20_000n, 2_000_000n]);
    expect([c!.cappedBytes, c!.boostBps, c!.weight]).to.deep.equal([1n, 10_000n, 10_000n]);
    expect(r.totalWeight).to.equal(4_260_000n);
    // 1001 * 2.25M / 4.26M = 528.7 -> 528; 1001 * 2M / 4.26M = 469.9 -> 469; 1001 * 10k / 4.26M = 2.3 -> 2
    expect([a!.reward, b!.reward, c!.reward]).to.deep.equal([528n, 469n, 2n]);
    expect(r.carryOut).to.equal(2n);
    expect(r.nodes.find((n) => n.node === addr(11))!.cappedBytes).to.equal(100n);
  });

  it("accepts checksummed addresses and reports lowercase ones", () => {
    const operator = "0x52908400098527886E0F7030069857D2E4169EE7";
    const r = computeEpochRewards(
      input({
        nodes: [{ node: "0x8617E340B3D01FA5F11F306F4090FD50E238070D", operator, bytes: 10n }],
        stakes: new Map([[operator, 0n]]),
        previousCumulative: new Map([[operator, 5n]]),
      }),
    );
    expect(r.operators).to.have.length(1);
    expect(r.operators[0]!.operator).to.equal(operator.toLowerCase());
    expect(r.operators[0]!.cumulative).to.equal(1_000_005n);
    expect(r.nodes[0]!.node).to.equal("0x8617e340b3d01fa5f11f306f4090fd50e238070d");
  });

  describe("rejects bad input with a clear error", () => {
    const node = (n: number, op: number, bytes: bigint): NodeTraffic => ({
      node: addr(n),
      operator: addr(op),
      bytes,
    });
    const cases: [string, Partial<EpochRewardsInput>, RegExp][] = [
      [
        "a node listed twice",
        { nodes: [node(1, 9, 1n), node(1, 9, 2n)], stakes: new Map([[addr(9), 0n]]) },
        /listed twice/,
      ],
      [
        "a missing stake for an operator with traffic",
        { nodes: [node(1, 9, 1n)] },
        /no stake given for operator/,
      ],
      ["negative bytes", { nodes: [node(1, 9, -1n)] }, /bytes/],
      [
        "bytes given as a number",
        { nodes: [{ node: addr(1), operator: addr(9), bytes: 5 as unknown as bigint }] },
        /bytes/,
      ],
      [
        "a malformed node address",
        { nodes: [{ node: "0x123", operator: addr(9), bytes: 1n }] },
        /nodes\[0\]\.node/,
      ],
      ["a zero node cap", { nodeCapBytes: 0n }, /nodeCapBytes/],
      [
        "a negative stake",
        { nodes: [node(1, 9, 1n)], stakes: new Map([[addr(9), -1n]]) },
        /stakes\[0x0{39}9\]: expected a uint256/,
      ],
      [
        "a malformed stake key when a stake is missing",
        { nodes: [node(1, 9, 1n)], stakes: new Map([["nope", 1n]]) },
        /stakes key: expected a 0x-prefixed 20-byte hex address, got "nope"/,
      ],
      ["a negative emission", { emission: -1n }, /emission/],
      ["emission + carryIn above uint256", { emission: 1n << 255n, carryIn: 1n << 255n }, /exceeds uint256/],
      [
        "a null node entry",
        { nodes: [null as unknown as NodeTraffic] },
        /nodes\[0\]: expected \{node, operator, bytes\}/,
      ],
      ["a carry-in above uint256", { carryIn: 1n << 256n }, /carryIn/],
      ["bad boost parameters", { boostParams: { maxBoostBps: 5_000n, fullStakePerNode: 1n } }, /maxBoostBps/],
      [
        "a negative previous cumulative",
        { previousCumulative: new Map([[addr(1), -5n]]) },
        /previousCumulative/,
      ],
      [
        "the same account twice in different letter case",
        {
          previousCumulative: new Map([
            ["0x52908400098527886e0f7030069857d2e4169ee7", 1n],
            ["0x52908400098527886E0F7030069857D2E4169EE7", 2n],
          ]),
        },
        /given twice/,
      ],
    ];
    for (const [what, partial, message] of cases) {
      it(`rejects ${what}`, () => {
        expect(() => computeEpochRewards(input(partial))).to.throw(EpochInputError, message);
      });
    }
  });
});
