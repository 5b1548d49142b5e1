import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import type { AddressInfo } from "node:net";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import hre, { ethers } from "hardhat";

import type { RewardsStatus } from "../../tasks/staking";
import {
  CHALLENGE_WINDOW,
  MSN,
  fundedRewardsFixture,
  leafOf,
  proposeAndAccept,
  proposeTree,
  rewardsTree,
  type RewardsDeployment,
} from "../shared/rewardsFixture";

interface Leaf {
  epoch: number;
  cumulativeAmount: bigint;
}

/**
 * A stand-in for the oracle's read API (the shape of oracle/src/http/routes/epochs.ts): answers
 * GET /v1/rewards/:account with the account's leaf in the accepted root and, if any, in a pending one.
 */
async function fakeOracle(
  answers: Map<string, { accepted?: Leaf; pending?: Leaf & { claimableAt: bigint } }>,
): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const account = /^\/v1\/rewards\/(0x[0-9a-fA-F]{40})$/.exec(req.url ?? "")?.[1];
    const answer = account ? answers.get(account.toLowerCase()) : undefined;
    res.setHeader("content-type", "application/json");
    if (!answer) {
      res.statusCode = 404;
      res.end(JSON.stringify({ statusCode: 404, code: "not_found", message: "no rewards" }));
      return;
    }
    const { accepted, pending } = answer;
    res.end(
      JSON.stringify({
        account: account!.toLowerCase(),
        epoch: accepted?.epoch ?? null,
        root: null,
        cumulativeAmount: (accepted?.cumulativeAmount ?? 0n).toString(),
        claimed: "0",
        claimable: "0",
        proof: [],
        pending: pending
          ? {
              epoch: pending.epoch,
              root: `0x${"00".repeat(32)}`,
              cumulativeAmount: pending.cumulativeAmount.toString(),
              proof: [],
              claimableAt: Number(pending.claimableAt),
            }
          : null,
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function status(d: RewardsDeployment, operator: string, oracleUrl: string) {
  const lines: string[] = [];
  const original = console.log;
  console.log = (...parts: unknown[]) => lines.push(parts.map(String).join(" "));
  try {
    const result = (await hre.run("msn:status", {
      operator,
      oracleUrl,
      staking: await d.staking.getAddress(),
      distributor: await d.distributor.getAddress(),
    })) as { rewards: RewardsStatus; balance: bigint };
    return { result, output: lines.join("\n") };
  } finally {
    console.log = original;
  }
}

describe("msn:status rewards (claimed on chain, pending from the oracle's read API)", () => {
  async function fixture() {
    const d = await fundedRewardsFixture();
    const [alice, bob] = d.users;
    const tree0 = rewardsTree([
      [alice.address, 12n * MSN],
      [bob.address, 3n * MSN],
    ]);
    await proposeAndAccept(d, 0, tree0);
    return { d, alice, bob, tree0 };
  }

  it("shows what is earned, claimed and claimable now from the accepted root", async () => {
    const { d, alice } = await loadFixture(fixture);
    const oracle = await fakeOracle(
      new Map([[alice.address.toLowerCase(), { accepted: { epoch: 0, cumulativeAmount: 12n * MSN } }]]),
    );
    try {
      const { result, output } = await status(d, alice.address, oracle.url);
      expect(result.rewards.claimed).to.equal(0n);
      expect(result.rewards.epoch).to.equal(0);
      expect(result.rewards.cumulativeAmount).to.equal(12n * MSN);
      expect(result.rewards.claimable).to.equal(12n * MSN);
      expect(result.rewards.upcoming).to.equal(undefined);
      expect(result.balance).to.equal(0n);
      expect(output).to.contain("rewards claimed 0 MSN");
      expect(output).to.contain(
        `rewards earned  12 MSN through epoch 0 (oracle ${oracle.url}): 12 MSN claimable now (msn:claim)`,
      );
      expect(output).to.contain("MSN balance     0 MSN");
    } finally {
      await oracle.close();
    }
  });

  it("subtracts what was claimed and says when a pending root becomes claimable", async () => {
    const { d, alice, bob, tree0 } = await loadFixture(fixture);
    const leaf = leafOf(tree0, alice.address);
    await d.distributor.connect(d.relayer).claim(alice.address, leaf.cumulativeAmount, leaf.proof);
    const tree1 = rewardsTree([
      [alice.address, 20n * MSN],
      [bob.address, 3n * MSN],
    ]);
    await proposeTree(d, 1, tree1);
    const claimableAt = (await d.distributor.epochRoot(1)).claimableAt;
    const oracle = await fakeOracle(
      new Map([
        [
          alice.address.toLowerCase(),
          {
            accepted: { epoch: 0, cumulativeAmount: 12n * MSN },
            pending: { epoch: 1, cumulativeAmount: 20n * MSN, claimableAt },
          },
        ],
      ]),
    );
    try {
      let { result, output } = await status(d, alice.address, oracle.url);
      expect(result.rewards.claimed).to.equal(12n * MSN);
      expect(result.rewards.claimable).to.equal(0n);
      expect(result.rewards.upcoming).to.deep.equal({
        epoch: 1,
        cumulativeAmount: 20n * MSN,
        claimableAt,
        more: 8n * MSN,
      });
      expect(result.balance).to.equal(12n * MSN);
      expect(output).to.contain("rewards claimed 12 MSN");
      expect(output).to.contain("rewards earned  12 MSN through epoch 0");
      expect(output).to.contain(": nothing to claim");
      expect(output).to.match(
        /rewards pending 8 MSN more in epoch 1's root, claimable from \S+ \(in 6h 0m\)/,
      );

      await time.increase(CHALLENGE_WINDOW);
      ({ output } = await status(d, alice.address, oracle.url));
      expect(output).to.contain("(anyone may call acceptRoot now)");
    } finally {
      await oracle.close();
    }
  });

  it("still shows the stake when no root lists the operator or the oracle cannot be reached", async () => {
    const { d, alice, bob } = await loadFixture(fixture);
    const oracle = await fakeOracle(new Map());
    try {
      const { result, output } = await status(d, bob.address, oracle.url);
      expect(result.rewards.epoch).to.equal(null);
      expect(result.rewards.claimable).to.equal(0n);
      expect(output).to.contain("rewards earned  nothing in an accepted root yet (no root lists it yet)");
      expect(output).to.contain("active stake");
    } finally {
      await oracle.close();
    }
    const { result, output } = await status(d, alice.address, "http://127.0.0.1:9");
    expect(result.rewards.claimed).to.equal(0n);
    expect(result.rewards.cumulativeAmount).to.equal(undefined);
    expect(output).to.contain("rewards earned  unknown: oracle unreachable at http://127.0.0.1:9");
  });

  it("is not misled by a deployments file of another deployment (stale deployments/<network>.json)", async () => {
    const { d, alice } = await loadFixture(fixture);
    const dir = mkdtempSync(path.join(tmpdir(), "msn-status-"));
    const saved = process.env.MSN_DEPLOYMENTS_DIR;
    process.env.MSN_DEPLOYMENTS_DIR = dir;
    try {
      const node = ethers.Wallet.createRandom();
      await hre.run("msn:register-node", {
        nodeKey: node.privateKey,
        account: d.users.indexOf(alice) + 8,
        staking: await d.staking.getAddress(),
      });
      writeFileSync(
        path.join(dir, "hardhat.json"),
        JSON.stringify({
          network: "hardhat",
          chainId: 31337,
          deploymentBlock: 1_000_000,
          contracts: { MinerStaking: d.stranger.address, RewardsDistributor: d.stranger.address },
        }),
      );
      const lines: string[] = [];
      const original = console.log;
      console.log = (...parts: unknown[]) => lines.push(parts.map(String).join(" "));
      let result: { nodes: string[]; rewards: RewardsStatus };
      try {
        result = await hre.run("msn:status", {
          operator: alice.address,
          staking: await d.staking.getAddress(),
        });
      } finally {
        console.log = original;
      }
      expect(result.nodes).to.deep.equal([node.address]);
      expect(result.rewards.note).to.equal(
        `no contract at RewardsDistributor address ${d.stranger.address} on network "hardhat" ` +
          "(from deployments/hardhat.json); pass --distributor",
      );
      expect(lines.join("\n")).to.contain("rewards         unknown: no contract at RewardsDistributor");
    } finally {
      if (saved === undefined) delete process.env.MSN_DEPLOYMENTS_DIR;
      else process.env.MSN_DEPLOYMENTS_DIR = saved;
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("fails with one line for a --distributor that is not a contract", async () => {
    const { d, alice } = await loadFixture(fixture);
    await expect(
      hre.run("msn:status", {
        operator: alice.address,
        staking: await d.staking.getAddress(),
        distributor: alice.address,
      }),
    ).to.be.rejectedWith(`no contract at RewardsDistributor address ${alice.address} on network "hardhat"`);
  });
});
