import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { loadFixture, setBalance, time } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import { Wallet } from "ethers";
import hre, { ethers } from "hardhat";

import type { ClaimResult } from "../../tasks/rewards";
import {
  MSN,
  fundedRewardsFixture,
  leafOf,
  proposeAndAccept,
  rewardsTree,
  type RewardsDeployment,
  type RewardsTree,
} from "../shared/rewardsFixture";

const MINER_KEY = "0x" + "4d".repeat(32);

describe("msn:claim task", () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), "msn-claim-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  async function claimableFixture(): Promise<{ d: RewardsDeployment; tree: RewardsTree; miner: Wallet }> {
    const d = await fundedRewardsFixture();
    const miner = new Wallet(MINER_KEY, ethers.provider);
    await setBalance(miner.address, 10n ** 18n);
    const tree = rewardsTree([
      [d.users[0].address, 12n * MSN],
      [d.users[1].address, 3n * MSN],
      [miner.address, 5n * MSN],
    ]);
    await proposeAndAccept(d, 0, tree);
    return { d, tree, miner };
  }

  function proofFile(name: string, content: unknown): string {
    const file = path.join(dir, name);
    writeFileSync(file, typeof content === "string" ? content : JSON.stringify(content));
    return file;
  }

  function fileFor(tree: RewardsTree, account: string, withAccount = false): string {
    const { cumulativeAmount, proof } = leafOf(tree, account);
    return proofFile(`${account}.json`, {
      ...(withAccount ? { account } : {}),
      cumulativeAmount: cumulativeAmount.toString(),
      proof,
    });
  }

  async function run(args: Record<string, unknown>): Promise<ClaimResult> {
    return (await hre.run("msn:claim", { stake: false, ...args })) as ClaimResult;
  }

  it("claims from a proof file with a Hardhat account", async () => {
    const { d, tree } = await loadFixture(claimableFixture);
    const alice = d.users[0];
    const before = await d.token.balanceOf(alice.address);
    const result = await run({
      proofFile: fileFor(tree, alice.address),
      account: alice.address,
      distributor: await d.distributor.getAddress(),
    });
    expect(result.account).to.equal(alice.address);
    expect(result.amount).to.equal(12n * MSN);
    expect(await d.token.balanceOf(alice.address)).to.equal(before + 12n * MSN);
  });

  it("claims for the account named in the file when a relayer signs", async () => {
    const { d, tree } = await loadFixture(claimableFixture);
    const bob = d.users[1];
    const result = await run({
      proofFile: fileFor(tree, bob.address, true),
      account: "3",
      distributor: await d.distributor.getAddress(),
    });
    expect(result.account).to.equal(bob.address);
    expect(await d.distributor.claimed(bob.address)).to.equal(3n * MSN);
  });

  it("claims and stakes with the key from MINER_PRIVATE_KEY", async () => {
    const { d, tree, miner } = await loadFixture(claimableFixture);
    process.env.MINER_PRIVATE_KEY = MINER_KEY;
    try {
      const result = await run({
        proofFile: fileFor(tree, miner.address),
        distributor: await d.distributor.getAddress(),
        stake: true,
      });
      expect(result).to.include({ account: miner.address, amount: 5n * MSN, staked: true });
    } finally {
      delete process.env.MINER_PRIVATE_KEY;
    }
    expect(await d.staking.stakeAt(miner.address, await time.latest())).to.equal(5n * MSN);
    expect(await d.token.balanceOf(miner.address)).to.equal(0n);
  });

  it("says how much more a pending root will bring when nothing is claimable yet", async () => {
    const { d } = await loadFixture(claimableFixture);
    const carol = d.users[2];
    const server: Server = createServer((_req, res) => {
      res.setHeader("content-type", "application/json");
      res.end(
        JSON.stringify({
          account: carol.address.toLowerCase(),
          epoch: null,
          root: null,
          cumulativeAmount: "0",
          claimed: "0",
          claimable: "0",
          proof: [],
          pending: {
            epoch: 1,
            root: "0x" + "11".repeat(32),
            cumulativeAmount: (5n * MSN).toString(),
            proof: [],
            claimableAt: 1_900_000_000,
          },
        }),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      await expect(
        run({ oracleUrl: url, account: carol.address, distributor: await d.distributor.getAddress() }),
      ).to.be.rejectedWith(
        `nothing to claim: ${carol.address} has claimed 0.0 MSN of a cumulative 0.0 MSN; 5.0 MSN more once ` +
          "epoch 1's root is accepted (from 2030-03-17T17:46:40.000Z)",
      );
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it("claims from the oracle's read API", async () => {
    const { d, tree } = await loadFixture(claimableFixture);
    const alice = d.users[0];
    const { cumulativeAmount, proof } = leafOf(tree, alice.address);
    const requested: string[] = [];
    const server: Server = createServer((req, res) => {
      requested.push(req.url ?? "");
      res.setHeader("content-type", "application/json");
      if (req.url === `/v1/rewards/${alice.address}`) {
        res.end(
          JSON.stringify({ epoch: 0, cumulativeAmount: cumulativeAmount.toString(), claimed: "0", proof }),
        );
      } else {
        res.statusCode = 404;
        res.end(JSON.stringify({ error: "unknown account" }));
      }
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    try {
      const result = await run({
        oracleUrl: url,
        account: alice.address,
        distributor: await d.distributor.getAddress(),
      });
      expect(result.amount).to.equal(12n * MSN);
      expect(requested).to.deep.equal([`/v1/rewards/${alice.address}`]);
      await expect(
        run({ oracleUrl: url, account: d.stranger.address, distributor: await d.distributor.getAddress() }),
      ).to.be.rejectedWith(`the oracle has no rewards for ${d.stranger.address}`);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  describe("fails with a one-line reason", () => {
    it("when there is nothing left to claim", async () => {
      const { d, tree } = await loadFixture(claimableFixture);
      const alice = d.users[0];
      const args = {
        proofFile: fileFor(tree, alice.address),
        account: alice.address,
        distributor: await d.distributor.getAddress(),
      };
      await run(args);
      await expect(run(args)).to.be.rejectedWith(
        /nothing to claim: .* has claimed 12\.0 MSN of a cumulative 12\.0 MSN/,
      );
    });

    it("when the proof does not match the roots", async () => {
      const { d, tree } = await loadFixture(claimableFixture);
      const alice = d.users[0];
      const { proof } = leafOf(tree, alice.address);
      const file = proofFile("bad.json", { cumulativeAmount: (13n * MSN).toString(), proof });
      await expect(
        run({ proofFile: file, account: alice.address, distributor: await d.distributor.getAddress() }),
      ).to.be.rejectedWith(`the claim would revert: RewardsInvalidProof(${alice.address}, ${13n * MSN})`);
    });

    it("when --stake is asked for somebody else's proof", async () => {
      const { d, tree } = await loadFixture(claimableFixture);
      await expect(
        run({
          proofFile: fileFor(tree, d.users[1].address, true),
          account: d.users[0].address,
          distributor: await d.distributor.getAddress(),
          stake: true,
        }),
      ).to.be.rejectedWith("--stake claims for the signer");
    });

    it("on bad input", async () => {
      const { d } = await loadFixture(claimableFixture);
      const distributor = await d.distributor.getAddress();
      const account = d.users[0].address;
      const cases: [Record<string, unknown>, string | RegExp][] = [
        [{ account, distributor }, "pass exactly one of --proof-file and --oracle-url"],
        [
          { account, distributor, proofFile: "x.json", oracleUrl: "http://127.0.0.1:1" },
          "pass exactly one of --proof-file and --oracle-url",
        ],
        [{ account, distributor, proofFile: path.join(dir, "missing.json") }, "cannot read proof file"],
        [{ account, distributor, proofFile: proofFile("notjson.json", "{") }, "is not valid JSON"],
        [
          { account, distributor, proofFile: proofFile("neg.json", { cumulativeAmount: "-1", proof: [] }) },
          "cumulativeAmount must be a non-negative integer",
        ],
        [
          {
            account,
            distributor,
            proofFile: proofFile("proof.json", { cumulativeAmount: "1", proof: ["0x12"] }),
          },
          "proof must be an array of 32-byte hex strings",
        ],
        [
          {
            account,
            distributor,
            proofFile: proofFile("acct.json", { account: "bob", cumulativeAmount: "1", proof: [] }),
          },
          "account is not an address",
        ],
        [
          {
            account: "alice",
            distributor,
            proofFile: proofFile("ok.json", { cumulativeAmount: "1", proof: [] }),
          },
          "--account must be",
        ],
        [{ account: "999", distributor, proofFile: path.join(dir, "ok.json") }, "has 20 accounts"],
        [
          { account: Wallet.createRandom().address, distributor, proofFile: path.join(dir, "ok.json") },
          "is not an account of network",
        ],
        [
          { proofFile: path.join(dir, "ok.json"), distributor },
          "no key: set MINER_PRIVATE_KEY or pass --account",
        ],
        [
          { account, distributor: "0x1234", proofFile: path.join(dir, "ok.json") },
          "--distributor is not an address",
        ],
        [
          { account, distributor: d.stranger.address, proofFile: path.join(dir, "ok.json") },
          "no contract at",
        ],
      ];
      for (const [args, message] of cases) {
        await expect(run(args)).to.be.rejectedWith(message);
      }
    });
  });
});
