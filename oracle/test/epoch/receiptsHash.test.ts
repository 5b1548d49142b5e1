import { expect } from "chai";
import { concat, hashTypedData, keccak256 } from "viem";
import {
  EMPTY_RECEIPTS_HASH,
  EpochInputError,
  type ReceiptFields,
  bandwidthDomainSeparator,
  createReceiptDigester,
  createReceiptSetBuilder,
  createReceiptsHasher,
  receiptsHash,
  selectCountedReceipts,
  toHex,
} from "../../src/epoch/index.js";
import { Rng, SEED, addr } from "./helpers.js";

const domain = { chainId: 31337, verifyingContract: "0x5FbDB2315678afecb367f032d93F642f64180aa3" };

function viemDigest(r: ReceiptFields): `0x${string}` {
  return hashTypedData({
    domain: {
      name: "MSN Bandwidth",
      version: "1",
      chainId: domain.chainId,
      verifyingContract: domain.verifyingContract as `0x${string}`,
    },
    types: {
      BandwidthReceipt: [
        { name: "node", type: "address" },
        { name: "client", type: "address" },
        { name: "epoch", type: "uint64" },
        { name: "session", type: "bytes32" },
        { name: "bytesServed", type: "uint64" },
      ],
    },
    primaryType: "BandwidthReceipt",
    message: {
      node: r.node as `0x${string}`,
      client: r.client as `0x${string}`,
      epoch: BigInt(r.epoch),
      session: r.session as `0x${string}`,
      bytesServed: r.bytesServed,
    },
  });
}

function randomReceipts(n: number, seed: number, epoch = 3): ReceiptFields[] {
  const rng = new Rng(seed);
  const nodes = [rng.address(), rng.address(), rng.address()];
  return Array.from({ length: n }, () => ({
    node: nodes[rng.int(3)]!,
    client: rng.address(),
    epoch,
    session: rng.hash(),
    bytesServed: rng.bigint(40),
  }));
}

describe("epoch/receiptsHash", () => {
  it("computes each receipt's EIP-712 digest exactly as viem's hashTypedData", async () => {
    const digest = await createReceiptDigester(domain);
    for (const r of randomReceipts(50, SEED)) expect(toHex(digest(r))).to.equal(viemDigest(r));
    const edge: ReceiptFields = {
      node: addr(1),
      client: addr(2),
      epoch: 2n ** 64n - 1n,
      session: `0x${"ff".repeat(32)}`,
      bytesServed: 2n ** 64n - 1n,
    };
    expect(toHex(digest(edge))).to.equal(viemDigest(edge));
    expect(bandwidthDomainSeparator(domain)).to.match(/^0x[0-9a-f]{64}$/);
  });

  it("hashes the sorted digests: keccak256(d1 ‖ d2 ‖ … ‖ dm), independent of input order", async () => {
    const digests = randomReceipts(300, SEED).map(viemDigest);
    const sorted = [...digests].sort();
    const expected = keccak256(concat(sorted));
    expect(await receiptsHash(digests)).to.deep.equal({ count: 300, hash: expected });
    expect(await receiptsHash([...digests].reverse())).to.deep.equal({ count: 300, hash: expected });
    const flat = Buffer.concat(digests.map((d) => Buffer.from(d.slice(2), "hex")));
    expect(await receiptsHash(flat)).to.deep.equal({ count: 300, hash: expected });
  });

  it("hashes an empty receipt set to keccak256 of nothing", async () => {
    expect(EMPTY_RECEIPTS_HASH).to.equal(keccak256("0x"));
    expect(await receiptsHash([])).to.deep.equal({ count: 0, hash: EMPTY_RECEIPTS_HASH });
  });

  it("streams digests in ascending order in constant memory, across flush boundaries", async () => {
    const digests = Array.from(
      { length: 2500 },
      (_, i) => `0x${i.toString(16).padStart(64, "0")}` as `0x${string}`,
    );
    const hasher = await createReceiptsHasher();
    for (const d of digests) hasher.add(d);
    expect(hasher.finish()).to.deep.equal({ count: 2500, hash: keccak256(concat(digests)) });
    expect(() => hasher.add(digests[0]!)).to.throw(EpochInputError, /after finish/);
  });

  it("rejects digests out of order or repeated, and malformed digests", async () => {
    const hasher = await createReceiptsHasher();
    hasher.add(`0x${"02".repeat(32)}`);
    expect(() => hasher.add(`0x${"01".repeat(32)}`)).to.throw(
      EpochInputError,
      /not greater than the previous/,
    );
    expect(() => hasher.add(`0x${"02".repeat(32)}`)).to.throw(EpochInputError, /sorted and distinct/);
    expect(() => hasher.add("0x1234")).to.throw(EpochInputError, /32 bytes/);
    let failed = false;
    await receiptsHash([`0x${"02".repeat(32)}`, `0x${"02".repeat(32)}`]).catch(() => (failed = true));
    expect(failed).to.equal(true);
  });

  it("aggregates a counted receipt set: per-node bytes, count and hash", async () => {
    const receipts = randomReceipts(200, SEED + 1);
    const builder = await createReceiptSetBuilder(domain, 3);
    for (const r of receipts) builder.add(r);
    const summary = await builder.finish();
    expect(summary.count).to.equal(200);
    expect(summary.hash).to.equal(keccak256(concat(receipts.map(viemDigest).sort())));
    const expected = new Map<string, bigint>();
    for (const r of receipts) expected.set(r.node, (expected.get(r.node) ?? 0n) + r.bytesServed);
    expect(summary.bytesPerNode).to.deep.equal(expected);
  });

  it("refuses a receipt of another epoch and a second receipt of the same session", async () => {
    const [a, b] = randomReceipts(2, SEED + 2);
    const builder = await createReceiptSetBuilder(domain, 3);
    expect(() => builder.add({ ...a!, epoch: 4 })).to.throw(EpochInputError, /epoch 4, expected 3/);
    builder.add(a!);
    builder.add({ ...b!, client: a!.client, session: a!.session, bytesServed: a!.bytesServed + 1n });
    let error: unknown;
    await builder.finish().catch((err: unknown) => (error = err));
    expect(error).to.be.instanceOf(EpochInputError);
    expect((error as Error).message).to.match(/same \(client, session\)/);
  });

  it("keeps only the latest receipt of each session as the counted set", () => {
    const base = { node: addr(1), client: addr(2), epoch: 3, session: `0x${"11".repeat(32)}` };
    const counted = selectCountedReceipts([
      { ...base, bytesServed: 10n },
      { ...base, bytesServed: 30n },
      { ...base, bytesServed: 20n },
      { ...base, client: addr(3), bytesServed: 5n },
    ]);
    expect(counted.map((r) => [r.client, r.bytesServed])).to.deep.equal([
      [addr(2), 30n],
      [addr(3), 5n],
    ]);
    expect(() =>
      selectCountedReceipts([
        { ...base, bytesServed: 10n },
        { ...base, node: addr(9), bytesServed: 10n },
      ]),
    ).to.throw(EpochInputError, /same bytesServed for different nodes/);
  });

  it("rejects malformed receipts with the field named", async () => {
    const digest = await createReceiptDigester(domain);
    const good: ReceiptFields = {
      node: addr(1),
      client: addr(2),
      epoch: 3,
      session: `0x${"11".repeat(32)}`,
      bytesServed: 1n,
    };
    expect(() => digest({ ...good, bytesServed: 2n ** 64n })).to.throw(EpochInputError, /bytesServed/);
    expect(() => digest({ ...good, epoch: 1.5 })).to.throw(EpochInputError, /epoch/);
    expect(() => digest({ ...good, session: "0x11" })).to.throw(EpochInputError, /session/);
    expect(() => digest({ ...good, node: "nope" })).to.throw(EpochInputError, /node/);
  });
});
