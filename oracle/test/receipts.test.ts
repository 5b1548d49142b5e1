import { expect } from "chai";
import fc from "fast-check";
import { hashTypedData, recoverTypedDataAddress } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import {
  ReceiptSigner,
  ReceiptVerifier,
  RECEIPT_TYPES,
  typedDataDomain,
  type Receipt,
  type ReceiptDomain,
  type SignedReceipt,
} from "../src/receipts/index.js";
import { secpIsNative } from "../src/lib/secp.js";
import { toHex, type Hex } from "../src/lib/hex.js";
import { account, addr, b32 } from "./helpers/keys.js";

const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const domain: ReceiptDomain = { chainId: 31337, verifyingContract: addr("MinerStaking") };
const viemMessage = (r: Receipt) => ({ ...r, epoch: BigInt(r.epoch), bytesServed: BigInt(r.bytesServed) });
const typed = (d: ReceiptDomain, r: Receipt) => ({
  domain: typedDataDomain(d),
  types: RECEIPT_TYPES,
  primaryType: "BandwidthReceipt" as const,
  message: viemMessage(r),
});

/** Rewrites a signature's s to n - s and flips v: the same (r, s) point, the "high-s twin". */
function highS(sig: Hex): Hex {
  const b = Buffer.from(sig.slice(2), "hex");
  const s = BigInt(`0x${b.subarray(32, 64).toString("hex")}`);
  b.write((N - s).toString(16).padStart(64, "0"), 32, "hex");
  b[64] = b[64] === 27 ? 28 : 27;
  return toHex(b);
}

describe("bandwidth receipts (EIP-712 sign and verify fast path)", () => {
  let signer: ReceiptSigner;
  let verifier: ReceiptVerifier;
  const client = account("client-1");
  const receipt: Receipt = {
    node: addr("node-1"),
    client: client.address,
    epoch: 12,
    session: b32("session-1"),
    bytesServed: 1_000_000,
  };

  before(async () => {
    signer = await ReceiptSigner.create(domain);
    verifier = await ReceiptVerifier.create(domain);
  });

  it("uses the native libsecp256k1 binding", () => {
    expect(secpIsNative).to.equal(true);
  });

  it("agrees with viem's hashTypedData, signTypedData and recoverTypedDataAddress on random receipts", async () => {
    const hex = (n: number) => fc.uint8Array({ minLength: n, maxLength: n }).map((b) => toHex(b));
    await fc.assert(
      fc.asyncProperty(
        hex(20),
        fc.integer({ min: 0, max: 50 }),
        fc.integer({ min: 0, max: 2 ** 32 }),
        hex(32),
        fc.oneof(fc.integer({ min: 0, max: 2 ** 40 }), fc.constantFrom(0, Number.MAX_SAFE_INTEGER)),
        async (node, who, epoch, session, bytesServed) => {
          const c = account(`random-client-${who}`);
          const r: Receipt = { node, client: c.address, epoch, session, bytesServed };
          const ours = signer.sign(r, c.key);
          expect(verifier.digest(r)).to.equal(hashTypedData(typed(domain, r)));
          // RFC 6979 nonces: the same key and digest give the same signature bytes.
          const theirs = await privateKeyToAccount(c.key).signTypedData(typed(domain, r));
          expect(ours.signature).to.equal(theirs);
          expect(verifier.verify(ours).valid).to.equal(true);
          const recovered = await recoverTypedDataAddress({ ...typed(domain, r), signature: ours.signature });
          expect(recovered.toLowerCase()).to.equal(c.address.toLowerCase());
        },
      ),
      { numRuns: 60, seed: 20251124 },
    );
  });

  it("accepts a signature made by viem with v = 27/28 and with v = 0/1", async () => {
    const sig = await privateKeyToAccount(client.key).signTypedData(typed(domain, receipt));
    expect(verifier.verify({ ...receipt, signature: sig }).valid).to.equal(true);
    const b = Buffer.from(sig.slice(2), "hex");
    b[64] = b[64]! - 27;
    expect(verifier.verify({ ...receipt, signature: toHex(b) }).valid).to.equal(true);
  });

  it("rejects a receipt signed for another chain id", async () => {
    const other = await ReceiptSigner.create({ ...domain, chainId: 1 });
    expect(verifier.verify(other.sign(receipt, client.key)).valid).to.equal(false);
  });

  it("rejects a receipt signed for another verifying contract", async () => {
    const other = await ReceiptSigner.create({ ...domain, verifyingContract: addr("OtherContract") });
    expect(verifier.verify(other.sign(receipt, client.key)).valid).to.equal(false);
  });

  it("rejects the high-s twin of a valid signature (EIP-2), which plain ecrecover accepts", async () => {
    const good = signer.sign(receipt, client.key);
    const twin = highS(good.signature);
    // The twin still recovers the client with a permissive recovery (viem / noble) ...
    const recovered = await recoverTypedDataAddress({ ...typed(domain, receipt), signature: twin });
    expect(recovered.toLowerCase()).to.equal(client.address.toLowerCase());
    // ... but the oracle refuses it.
    expect(verifier.verify({ ...good, signature: twin }).valid).to.equal(false);
  });

  it("rejects a signature by another key than the receipt's client", () => {
    const mallory = account("mallory");
    const forged = signer.sign(receipt, mallory.key);
    expect(verifier.verify(forged).valid).to.equal(false);
  });

  it("rejects a receipt whose signed fields were changed after signing", () => {
    const good = signer.sign(receipt, client.key);
    const changed: SignedReceipt[] = [
      { ...good, bytesServed: good.bytesServed + 1 },
      { ...good, epoch: good.epoch + 1 },
      { ...good, node: addr("node-2") },
      { ...good, session: b32("session-2") },
    ];
    for (const r of changed) expect(verifier.verify(r).valid).to.equal(false);
    expect(verifier.verify(good).valid).to.equal(true);
  });

  it("rejects malformed signatures: v out of range, r = 0, s = 0, r >= n", () => {
    const good = signer.sign(receipt, client.key);
    const b = () => Buffer.from(good.signature.slice(2), "hex");
    const v29 = b();
    v29[64] = 29;
    const r0 = b();
    r0.fill(0, 0, 32);
    const s0 = b();
    s0.fill(0, 32, 64);
    const rBig = b();
    rBig.fill(0xff, 0, 32);
    for (const sig of [v29, r0, s0, rBig]) {
      expect(verifier.verify({ ...good, signature: toHex(sig) }).valid).to.equal(false);
    }
  });
});
