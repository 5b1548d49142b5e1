/**
 * Puts the simulated world on chain and into the oracle: ETH and MSN for the operators, node keys
 * registered with the node's own EIP-712 signature, stakes (permit or approve + stake), clients.
 */
import { hexToSignature, parseEther } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { PERMIT_TYPES } from "../src/chain/permit.js";
import type { Hex } from "../src/lib/hex.js";
import type { ClientsRepository } from "../src/registry/clients.js";
import { stakingAbi, tokenAbi } from "./abi.js";
import { latestTimestamp, mapLimit, sendTx, type DevChain } from "./chain.js";
import { formatMsn } from "./format.js";
import { DevnetError } from "./processes.js";
import type { SimOperator, World } from "./world.js";

/** Transactions in flight at once (different senders; one sender's transactions stay in order). */
const PARALLEL = 8;

/** ETH for gas (hardhat_setBalance) for every operator and the relayer; MSN from the public-sale account. */
export async function fundWorld(
  dc: DevChain,
  world: World,
  publicSale: Hex,
  onDone: () => void,
): Promise<bigint> {
  const needed = world.operators.reduce((s, o) => s + o.funding, 0n);
  const held = await dc.client.readContract({
    address: dc.contracts.token,
    abi: tokenAbi,
    functionName: "balanceOf",
    args: [publicSale],
  });
  if (held < needed) {
    throw new DevnetError(
      `the public-sale account ${publicSale} holds ${formatMsn(held)} MSN, the simulation needs ${formatMsn(needed)} MSN: use fewer nodes`,
    );
  }
  for (const a of [...world.operators, world.relayer]) {
    await dc.test.setBalance({ address: a.address, value: parseEther("100") });
  }
  const sale = dc.nodeWallet(publicSale);
  // One sender: its transfers go one after the other.
  for (const op of world.operators) {
    await sendTx(dc, `MSN transfer to operator ${op.index}`, () =>
      sale.writeContract({
        address: dc.contracts.token,
        abi: tokenAbi,
        functionName: "transfer",
        args: [op.address, op.funding],
      }),
    );
    onDone();
  }
  return needed;
}

const REGISTER_NODE_TYPES = {
  RegisterNode: [
    { name: "node", type: "address" },
    { name: "operator", type: "address" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
} as const;

/** Registers every node to its operator: the node key signs, the operator sends. */
export async function registerNodes(dc: DevChain, world: World, onDone: () => void): Promise<void> {
  const deadline = BigInt((await latestTimestamp(dc)) + 3600);
  const domain = {
    name: "MSN Bandwidth",
    version: "1",
    chainId: dc.chainId,
    verifyingContract: dc.contracts.staking,
  } as const;
  await mapLimit(world.operators, PARALLEL, async (op) => {
    const wallet = dc.wallet(op.key);
    for (const node of op.nodes) {
      const signature = await privateKeyToAccount(node.key).signTypedData({
        domain,
        types: REGISTER_NODE_TYPES,
        primaryType: "RegisterNode",
        message: { node: node.address, operator: op.address, nonce: 0n, deadline },
      });
      await sendTx(dc, `registerNode ${node.address} for operator ${op.index}`, () =>
        wallet.writeContract({
          address: dc.contracts.staking,
          abi: stakingAbi,
          functionName: "registerNode",
          args: [node.address, deadline, signature],
        }),
      );
      onDone();
    }
  });
}

/** Stakes `amount` for `op`: an ERC-2612 permit and stake in one transaction, or approve then stake. */
export async function stakeFor(
  dc: DevChain,
  op: SimOperator,
  amount: bigint,
  permit: boolean,
): Promise<void> {
  const wallet = dc.wallet(op.key);
  const { token, staking } = dc.contracts;
  if (permit) {
    const [name, nonce, now] = await Promise.all([
      dc.client.readContract({ address: token, abi: tokenAbi, functionName: "name" }),
      dc.client.readContract({ address: token, abi: tokenAbi, functionName: "nonces", args: [op.address] }),
      latestTimestamp(dc),
    ]);
    const deadline = BigInt(now + 3600);
    const signature = await privateKeyToAccount(op.key).signTypedData({
      domain: { name, version: "1", chainId: dc.chainId, verifyingContract: token },
      types: PERMIT_TYPES,
      primaryType: "Permit",
      message: { owner: op.address, spender: staking, value: amount, nonce, deadline },
    });
    const { r, s, v } = hexToSignature(signature);
    await sendTx(dc, `stakeWithPermit for operator ${op.index}`, () =>
      wallet.writeContract({
        address: staking,
        abi: stakingAbi,
        functionName: "stakeWithPermit",
        args: [amount, deadline, Number(v), r, s],
      }),
    );
  } else {
    await sendTx(dc, `approve for operator ${op.index}`, () =>
      wallet.writeContract({
        address: token,
        abi: tokenAbi,
        functionName: "approve",
        args: [staking, amount],
      }),
    );
    await sendTx(dc, `stake for operator ${op.index}`, () =>
      wallet.writeContract({ address: staking, abi: stakingAbi, functionName: "stake", args: [amount] }),
    );
  }
}

/** Every operator with a stake plan other than "none" stakes its amount. */
export async function stakeWorld(dc: DevChain, world: World, onDone: () => void): Promise<void> {
  const stakers = world.operators.filter((o) => o.stake > 0n);
  await mapLimit(stakers, PARALLEL, async (op) => {
    await stakeFor(dc, op, op.stake, op.permit);
    onDone();
  });
}

/** The stake changes of the world (a top-up, an unstake request), made during epoch 1. */
export async function applyStakeChanges(dc: DevChain, world: World): Promise<string[]> {
  const done: string[] = [];
  for (const change of world.stakeChanges) {
    const op = world.operators[change.operator]!;
    if (change.kind === "topUp") {
      await stakeFor(dc, op, change.amount, false);
      done.push(`operator ${op.index} staked ${formatMsn(change.amount)} MSN more`);
    } else {
      await sendTx(dc, `requestUnstake for operator ${op.index}`, () =>
        dc.wallet(op.key).writeContract({
          address: dc.contracts.staking,
          abi: stakingAbi,
          functionName: "requestUnstake",
          args: [change.amount],
        }),
      );
      done.push(`operator ${op.index} requested to unstake ${formatMsn(change.amount)} MSN`);
    }
  }
  return done;
}

/** Registers the world's clients with the oracle (what `oracle clients add` / `disable` do). */
export async function registerClients(clients: ClientsRepository, world: World): Promise<void> {
  for (const c of world.clients) {
    await clients.add({ address: c.address, operator: c.owner, quotaBytes: c.quota });
    if (c.kind === "disabled") await clients.setDisabled(c.address, true);
  }
}
