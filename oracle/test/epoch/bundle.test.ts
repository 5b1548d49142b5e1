import { expect } from "chai";
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { keccak256 } from "viem";
import {
  BundleFormatError,
  type EpochBundle,
  PLACEHOLDER_ACCOUNT,
  ZERO_HASH,
  HEADER_KEYS,
  NODE_COLUMNS,
  OPERATOR_COLUMNS,
  bundleBytes,
  bundleChunks,
  bundleHash,
  computeEpoch,
  createBundleParser,
  parseBundle,
  serializeBundle,
  validateBundle,
  verifyBundle,
} from "../../src/epoch/index.js";
import { Rng, SEED, metaFor, randomEpoch, randomInput } from "./helpers.js";

async function rejects(text: string, message: RegExp): Promise<void> {
  let error: unknown;
  await parseBundle(text).catch((err: unknown) => (error = err));
  expect(error, `expected ${message} to be rejected`).to.be.instanceOf(BundleFormatError);
  expect((error as Error).message).to.match(message);
}

/** The example of docs/BUNDLE.md: its text and hash are pinned, so any format change is deliberate. */
async function docExample(): Promise<EpochBundle> {
  const a = (n: string) => `0x${n.repeat(40 / n.length)}`;
  const input = {
    nodes: [
      { node: a("1a"), operator: a("a0"), bytes: 800_000_000_000n },
      { node: a("1b"), operator: a("a0"), bytes: 200_000_000_000_000n },
      { node: a("2c"), operator: a("b0"), bytes: 5_000_000_000n },
    ],
    nodeCapBytes: 108_000_000_000_000n,
    stakes: new Map([
      [a("a0"), 1_500n * 10n ** 18n],
      [a("b0"), 0n],
    ]),
    boostParams: { maxBoostBps: 20_000n, fullStakePerNode: 1_000n * 10n ** 18n },
    emission: 13_698_630_136_986_301_369_863n,
    carryIn: 17n,
    previousCumulative: new Map([
      [a("b0"), 40n * 10n ** 18n],
      [a("c0"), 12n * 10n ** 18n],
    ]),
  };
  const meta = {
    chainId: 1,
    distributor: a("d1"),
    staking: a("5a"),
    minter: a("e1"),
    epoch: 42,
    epochStart: 1_703_000_000 + 42 * 86_400,
    epochEnd: 1_703_000_000 + 43 * 86_400,
    previousBundleHash: `0x${"ab".repeat(32)}` as const,
    receipts: { count: 7, hash: `0x${"cd".repeat(32)}` as const },
  };
  return (await computeEpoch(meta, input)).bundle;
}

describe("epoch/bundle", () => {
  it("writes the documented example byte for byte (docs/BUNDLE.md)", async () => {
    const example = await docExample();
    const lines = serializeBundle(example).split("\n");
    expect(lines[1]).to.equal(
      `["${"0x" + "1a".repeat(20)}","${"0x" + "a0".repeat(20)}","800000000000","800000000000"],`,
    );
    expect(lines[6]).to.equal(
      `["${"0x" + "b0".repeat(20)}",1,"5000000000","0","10000","50000000000000","359723487749436762","40000000000000000000","40359723487749436762"],`,
    );
    expect(lines[7]).to.equal(
      `["${"0x" + "c0".repeat(20)}",0,"0",null,"10000","0","0","12000000000000000000","12000000000000000000"]`,
    );
    expect(example.root).to.equal("0x2f587ff7e4db176384b30ed22cafee12d897bf2ea475e1951020cc22026f7a57");
    expect(await bundleHash(example)).to.equal(
      "0x61b828fc8325c752865b76c427cc2718940a232abe92fa1675c8c0692badfaab",
    );
  });

  let bundle: EpochBundle;
  let text: string;
  before(async () => {
    bundle = (await randomEpoch(SEED, 25)).bundle;
    text = serializeBundle(bundle);
  });

  it("serialises the same epoch to the same bytes and hash, whatever the input order", async () => {
    const input = randomInput(SEED, 25);
    const shuffled = {
      ...input,
      nodes: [...input.nodes].reverse(),
      stakes: new Map([...input.stakes].reverse()),
    };
    const again = (await computeEpoch(metaFor(input), shuffled)).bundle;
    expect(serializeBundle(again)).to.equal(text);
    expect(await bundleHash(again)).to.equal(await bundleHash(bundle));
  });

  it("hashes the canonical bytes with keccak256 (the on-chain dataHash)", async () => {
    expect(await bundleHash(bundle)).to.equal(keccak256(bundleBytes(bundle)));
  });

  it("writes valid JSON with the keys in the fixed order and amounts as decimal strings", () => {
    const json = JSON.parse(text) as Record<string, unknown>;
    expect(Object.keys(json)).to.deep.equal([...HEADER_KEYS, "nodes", "operators"]);
    expect(json.nodeColumns).to.deep.equal(NODE_COLUMNS);
    expect(json.operatorColumns).to.deep.equal(OPERATOR_COLUMNS);
    expect(json.emission).to.equal(bundle.emission.toString());
    expect(json.total).to.equal(bundle.total.toString());
    const rows = json.operators as unknown[][];
    expect(rows).to.have.length(bundle.operators.length);
    expect(rows[0]![8]).to.equal(bundle.operators[0]!.cumulative.toString());
    const lines = text.split("\n");
    expect(lines[0]!.endsWith(`,"nodes":[`)).to.equal(true);
    expect(lines).to.have.length(1 + bundle.nodes.length + 1 + bundle.operators.length + 1 + 1);
    expect(lines.at(-1)).to.equal("");
  });

  it("round-trips: parse(serialise(bundle)) is the bundle, with the same hash", async () => {
    const parsed = await parseBundle(text);
    expect(parsed.bundle).to.deep.equal(bundle);
    expect(parsed.hash).to.equal(await bundleHash(bundle));
    expect(serializeBundle(parsed.bundle)).to.equal(text);
  });

  it("parses the same from any chunking of the file, bytes or text", async () => {
    const bytes = bundleBytes(bundle);
    const rng = new Rng(SEED);
    for (const fixed of [1, 7, 64, 4096]) {
      const parser = await createBundleParser();
      for (let at = 0; at < bytes.length;) {
        const size = fixed === 64 ? 1 + rng.int(200) : fixed;
        parser.write(bytes.subarray(at, at + size));
        at += size;
      }
      const parsed = parser.end();
      expect(parsed.bundle).to.deep.equal(bundle);
      expect(parsed.hash).to.equal(keccak256(bytes));
    }
  });

  it("streams large bundles in chunks of about a megabyte", async () => {
    const big = (await randomEpoch(SEED, 4000)).bundle;
    const chunks = Array.from(bundleChunks(big));
    expect(chunks.length).to.be.greaterThan(1);
    for (const c of chunks.slice(0, -1)) expect(c.length).to.be.within(1_000_000, 1 << 20);
    const parsed = await parseBundle(Buffer.concat(chunks));
    expect(parsed.bundle).to.deep.equal(big);
  });

  it("serialises an epoch without accounts", async () => {
    const input = { ...randomInput(SEED, 0, 0) };
    const empty = (await computeEpoch(metaFor(input), input)).bundle;
    const t = serializeBundle(empty);
    expect(t.split("\n")).to.have.length(4);
    expect((await parseBundle(t)).bundle).to.deep.equal(empty);
  });

  it("gives an epoch without any cumulative amount the placeholder tree: a non-zero root, total 0, and it verifies", async () => {
    const input = { ...randomInput(SEED, 0, 0) };
    const { bundle, tree, leaves } = await computeEpoch(metaFor(input), input);
    const placeholder = StandardMerkleTree.of([[PLACEHOLDER_ACCOUNT, 0n]], ["address", "uint256"]);
    expect(leaves).to.deep.equal({ accounts: [PLACEHOLDER_ACCOUNT], amounts: [0n], placeholder: true });
    expect(bundle.root).to.equal(placeholder.root);
    expect(bundle.root).to.not.equal(ZERO_HASH);
    expect(bundle.root).to.equal("0xf0df3dcda05b4fbd9c655cde3d5ceb211e019e72ec816e127a59e7195f2cd7f5");
    expect(bundle.total).to.equal(0n);
    expect(bundle.operators).to.deep.equal([]); // the placeholder is a leaf, not an operator row
    expect(tree.leafCount).to.equal(1);
    const report = await verifyBundle(bundle);
    expect(report.ok, JSON.stringify(report.discrepancies)).to.equal(true);
    expect(report.recomputed!.root).to.equal(placeholder.root);
    // A bundle claiming the zero root for it is caught.
    const zero = await verifyBundle({ ...bundle, root: ZERO_HASH });
    expect(zero.discrepancies.map((d) => d.kind)).to.deep.equal(["root"]);
  });

  it("uses the placeholder when the only rows have a cumulative of 0, and not once any account earned", async () => {
    const input = { ...randomInput(SEED, 3, 0), emission: 0n, carryIn: 0n, previousCumulative: new Map() };
    const zeroRewards = await computeEpoch(metaFor(input), input);
    expect(zeroRewards.bundle.operators.length).to.be.greaterThan(0);
    expect(zeroRewards.leaves.placeholder).to.equal(true);
    const paid = await computeEpoch(metaFor({ ...input, emission: 1000n }), { ...input, emission: 1000n });
    expect(paid.leaves.placeholder).to.equal(false);
    expect(paid.leaves.accounts).to.not.include(PLACEHOLDER_ACCOUNT);
  });

  describe("accepts only the canonical form, with a precise error", () => {
    const swap = (from: string | RegExp, to: string) => () => text.replace(from, to);
    const cases: [string, () => string, RegExp][] = [
      ["pretty-printed JSON", () => JSON.stringify(JSON.parse(text), null, 2), /line 1 \(header\)/],
      ["a space in the header", swap(`"chainId":31337`, `"chainId": 31337`), /not in canonical form/],
      [
        "a header key out of order",
        swap(
          `"format":"msn-epoch-bundle/1","chainId":31337`,
          `"chainId":31337,"format":"msn-epoch-bundle/1"`,
        ),
        /keys .* in this order/,
      ],
      [
        "an amount with a leading zero",
        swap(`"emission":"`, `"emission":"0`),
        /emission: expected a decimal string without leading zeros/,
      ],
      [
        "an amount as a JSON number",
        swap(/"emission":"(\d+)"/, `"emission":1`),
        /emission: expected a decimal string/,
      ],
      [
        "an unknown format version",
        swap("msn-epoch-bundle/1", "msn-epoch-bundle/2"),
        /format: expected "msn-epoch-bundle\/1"/,
      ],
      [
        "a checksummed address in a row",
        () =>
          text.replace(
            /\n\["0x([0-9a-f])([0-9a-f]{39})"/,
            (_m, a: string, b: string) => `\n["0x${a.toUpperCase() === a ? "A" : a.toUpperCase()}${b}"`,
          ),
        /lowercase 0x address/,
      ],
      [
        "a decimal with a leading zero in a row",
        () => text.replace(/\n(\["0x[0-9a-f]{40}","0x[0-9a-f]{40}",)"/, `\n$1"0`),
        /column bytes: leading zeros/,
      ],
      ["a missing row separator", () => text.replace(/\],\n\["0x/, `]\n["0x`), /column end: expected ","/],
      [
        "a row of the wrong width",
        () => text.replace(/\n(\["0x[0-9a-f]{40}","0x[0-9a-f]{40}","\d+","\d+")\]/, `\n$1,"1"]`),
        /column end: expected "\]"/,
      ],
      [
        "rows out of order",
        () => {
          const lines = text.split("\n");
          [lines[1], lines[2]] = [lines[2]!, lines[1]!];
          return lines.join("\n");
        },
        /line 3: node 0x[0-9a-f]{40} is not after 0x[0-9a-f]{40} \(rows must be sorted by node\)/,
      ],
      [
        "a file cut inside a line",
        () => text.slice(0, Math.floor(text.length / 2)),
        /must end with a newline/,
      ],
      [
        "a file cut after a line",
        () => text.slice(0, text.indexOf(`],"operators":[`)),
        /truncated bundle \(still expecting the separator part\)/,
      ],
      ["a missing final newline", () => text.slice(0, -1), /must end with a newline/],
      ["content after the end", () => `${text}\n`, /unexpected content after the end/],
      [
        "a row count too low",
        swap(/"nodeCount":(\d+)/, `"nodeCount":1`),
        /line 2 \(node row 0\), column end: unexpected text after the last row/,
      ],
      [
        "a row count too high",
        swap(/"nodeCount":(\d+)/, `"nodeCount":1000`),
        /column end: expected ",", found end of line/,
      ],
      [
        "invalid JSON in the header",
        () => `{"format":,"nodes":[\n${text.split("\n").slice(1).join("\n")}`,
        /not JSON/,
      ],
    ];
    for (const [what, make, message] of cases) {
      it(`rejects ${what}`, async () => {
        await rejects(make(), message);
      });
    }
    it("rejects a file that is not UTF-8 text", async () => {
      let error: unknown;
      const parser = await createBundleParser();
      try {
        parser.write(Buffer.from([0xff, 0xfe, 0x0a]));
      } catch (err) {
        error = err;
      }
      expect(error).to.be.instanceOf(BundleFormatError);
    });
  });

  it("validates in-memory bundles before writing them", () => {
    const bad = { ...bundle, operators: [...bundle.operators].reverse() };
    expect(() => validateBundle(bad)).to.throw(BundleFormatError, /operators\[1\]: operator .* is not after/);
    expect(() => serializeBundle({ ...bundle, carryOut: -1n })).to.throw(BundleFormatError, /carryOut/);
    expect(() => serializeBundle({ ...bundle, root: "0x12" })).to.throw(BundleFormatError, /root/);
    const row = { ...bundle.operators[0]!, reward: 5 as unknown as bigint };
    expect(() => serializeBundle({ ...bundle, operators: [row, ...bundle.operators.slice(1)] })).to.throw(
      BundleFormatError,
      /operators\[0\] reward: expected a uint256 amount/,
    );
  });
});
