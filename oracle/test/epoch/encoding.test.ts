import { expect } from "chai";
import { numberToHex } from "viem";
import {
  EpochInputError,
  addressKey,
  addressOrder,
  lowerAddressKey,
  normalizeAddress,
  radixOrder,
  sortLeafOrder,
  writeAddress,
  writeUint256,
} from "../../src/epoch/index.js";
import { FC, Rng, SEED, fc } from "./helpers.js";

const LOWER = /^0x[0-9a-f]{40}$/;

describe("epoch/encoding", () => {
  it("sorts by 32-bit keys exactly like a comparison sort, also with many equal keys", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 7 }), { maxLength: 300 }),
        fc.boolean(),
        (small, wide) => {
          const keys = Uint32Array.from(small, (v) => (wide ? (v * 0x9e3779b1) >>> 0 : v));
          const order = Array.from(radixOrder(keys, (a, b) => a - b));
          const expected = Array.from(keys.keys()).sort((a, b) => keys[a]! - keys[b]! || a - b);
          expect(order).to.deep.equal(expected);
        },
      ),
      FC,
    );
  });

  it("orders addresses like string order, also when they share their first 8 hex digits", () => {
    const rng = new Rng(SEED);
    const addresses: string[] = [];
    for (let i = 0; i < 500; i++) {
      const tail = rng.address().slice(10);
      const prefix = ["00000000", "deadbeef", rng.address().slice(2, 10)][rng.int(3)]!;
      addresses.push(`0x${prefix}${tail}`);
    }
    addresses.push(addresses[3]!, addresses[7]!); // duplicates end up adjacent
    const order = Array.from(addressOrder(addresses));
    expect(order.map((i) => addresses[i])).to.deep.equal([...addresses].sort());
    expect(addressKey("0xdeadbeef00000000000000000000000000000000")).to.equal(0xdeadbeef);
  });

  it("orders 32-byte hashes bytewise, also when they share their first 4 bytes", () => {
    const rng = new Rng(SEED + 1);
    const n = 400;
    const flat = Buffer.alloc(n * 32);
    for (let i = 0; i < n; i++) {
      for (let b = 0; b < 32; b++) flat[i * 32 + b] = rng.int(256);
      if (i % 2 === 0) flat.writeUInt32BE(0x01020304, i * 32); // many equal prefixes
      if (i % 10 === 0) flat.copy(flat, i * 32, 0, 31); // some share 31 bytes with the first
    }
    const order = Array.from(sortLeafOrder(flat));
    const expected = Array.from({ length: n }, (_, i) => i).sort(
      (a, b) =>
        Buffer.compare(flat.subarray(a * 32, a * 32 + 32), flat.subarray(b * 32, b * 32 + 32)) || a - b,
    );
    expect(order).to.deep.equal(expected);
  });

  it("recognises exactly the lowercase 0x addresses, and normalises checksummed ones", () => {
    const char = fc.constantFrom(..."0123456789abcdefABCDEFxg ".split(""));
    const candidate = fc.oneof(
      fc.array(char, { minLength: 40, maxLength: 40 }).map((c) => `0x${c.join("")}`),
      fc.string({ maxLength: 45 }),
      fc
        .array(fc.constantFrom(..."0123456789abcdef".split("")), { minLength: 40, maxLength: 40 })
        .map((c) => `0x${c.join("")}`),
    );
    fc.assert(
      fc.property(candidate, (value) => {
        const key = lowerAddressKey(value);
        expect(key >= 0).to.equal(LOWER.test(value));
        if (key >= 0) expect(key).to.equal(parseInt(value.slice(2, 10), 16));
        if (/^0x[0-9a-fA-F]{40}$/.test(value))
          expect(normalizeAddress(value, "x")).to.equal(value.toLowerCase());
        else
          expect(() => normalizeAddress(value, "x")).to.throw(EpochInputError, /x: expected a 0x-prefixed/);
      }),
      FC,
    );
    expect(lowerAddressKey(123)).to.equal(-1);
    expect(lowerAddressKey(`0x${"ａ".repeat(40)}`)).to.equal(-1); // full-width letters are not hex
  });

  it("encodes uint256 values as 32 big-endian bytes", () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: (1n << 256n) - 1n }),
        fc.integer({ min: 0, max: 8 }),
        (value, shift) => {
          const v = value >> BigInt(shift * 32); // all magnitudes
          const target = Buffer.alloc(40, 0xee);
          writeUint256(target, 4, v);
          expect(`0x${target.toString("hex", 4, 36)}`).to.equal(numberToHex(v, { size: 32 }));
          expect(target[3]).to.equal(0xee);
          expect(target[36]).to.equal(0xee);
        },
      ),
      FC,
    );
  });

  it("writes address bytes and rejects non-hex characters", () => {
    const target = Buffer.alloc(20);
    writeAddress(target, 0, "0x52908400098527886E0F7030069857D2E4169EE7");
    expect(target.toString("hex")).to.equal("52908400098527886e0f7030069857d2e4169ee7");
    expect(() => writeAddress(target, 0, `0x${"g".repeat(40)}`)).to.throw(EpochInputError);
    expect(() => writeAddress(target, 0, `1x${"0".repeat(40)}`)).to.throw(EpochInputError);
    expect(() => writeAddress(target, 0, "0x1234")).to.throw(EpochInputError);
  });
});
