import type { PublicClient } from "viem";
import { ConfigError } from "../lib/errors.js";
import type { Hex } from "../lib/hex.js";
import type { ReceiptDomain } from "../receipts/types.js";
import { readEpochParams } from "../chain/readEpochParams.js";
import { readDeploymentsFile } from "./deployments.js";
import type { OracleConfig } from "./schema.js";

/** Everything the running oracle needs beyond the raw config, resolved once at start-up. */
export interface RuntimeParams {
  chainId: number;
  domain: ReceiptDomain;
  minerStaking: Hex;
  emissionMinter: Hex | undefined;
  /** Where the epoch job proposes roots (undefined: the job cannot publish). */
  rewardsDistributor: Hex | undefined;
  deploymentBlock: number | undefined;
  epochLength: number;
  genesisTime: number;
  /** Where node ownership comes from. */
  registry: { kind: "file"; file: string } | { kind: "chain" };
}

/**
 * Resolves chain id, contract addresses, epoch parameters and the registry source from the config, the
 * deployments file and (when `chain` is given) the chain itself. Explicit config values win over the
 * deployments file; the epoch length and genesis time come from `EmissionMinter` unless overridden.
 */
export async function resolveRuntime(
  config: OracleConfig,
  chain?: PublicClient,
  opts: { registryProvided?: boolean } = {},
): Promise<RuntimeParams> {
  const dep = config.deploymentsFile ? readDeploymentsFile(config.deploymentsFile) : undefined;
  const chainId = config.chainId ?? dep?.chainId;
  const minerStaking = config.minerStaking ?? dep?.minerStaking;
  const emissionMinter = config.emissionMinter ?? dep?.emissionMinter;
  const rewardsDistributor = config.rewardsDistributor ?? dep?.rewardsDistributor;
  const deploymentBlock = config.deploymentBlock ?? dep?.deploymentBlock;
  const problems: string[] = [];
  if (chainId === undefined) {
    problems.push("chain id unknown: set ORACLE_DEPLOYMENTS_FILE (or ORACLE_NETWORK) or ORACLE_CHAIN_ID");
  }
  if (minerStaking === undefined) {
    problems.push(
      "MinerStaking address unknown (it is the receipts' EIP-712 verifying contract): set ORACLE_DEPLOYMENTS_FILE with contracts.MinerStaking, or ORACLE_MINER_STAKING",
    );
  }
  const needChainEpoch = config.epochLength === undefined || config.genesisTime === undefined;
  if (needChainEpoch && (chain === undefined || emissionMinter === undefined)) {
    problems.push(
      "epoch length and genesis time unknown: set RPC_URL and an EmissionMinter (deployments file or ORACLE_EMISSION_MINTER), or both ORACLE_EPOCH_LENGTH and ORACLE_GENESIS_TIME",
    );
  }
  if (
    !opts.registryProvided &&
    config.nodesFile === undefined &&
    (chain === undefined || deploymentBlock === undefined)
  ) {
    problems.push(
      "no node registry: set RPC_URL and a deployments file (MinerStaking events are indexed from deploymentBlock), or ORACLE_NODES_FILE",
    );
  }
  if (problems.length > 0) throw new ConfigError(problems);

  if (chain !== undefined) {
    const rpcChainId = await chain.getChainId();
    if (rpcChainId !== chainId) {
      throw new ConfigError([
        `RPC_URL serves chain ${rpcChainId}, but the deployment is on chain ${chainId}`,
      ]);
    }
  }
  let epochLength = config.epochLength;
  let genesisTime = config.genesisTime;
  if (needChainEpoch) {
    const onChain = await readEpochParams(chain!, emissionMinter!);
    epochLength ??= onChain.epochLength;
    genesisTime ??= onChain.genesisTime;
  }
  if (config.graceSeconds >= epochLength!) {
    throw new ConfigError([
      `ORACLE_GRACE_SECONDS: must be shorter than the epoch length (${config.graceSeconds} >= ${epochLength})`,
    ]);
  }
  return {
    chainId: chainId!,
    domain: { chainId: chainId!, verifyingContract: minerStaking! },
    minerStaking: minerStaking!,
    emissionMinter,
    rewardsDistributor,
    deploymentBlock,
    epochLength: epochLength!,
    genesisTime: genesisTime!,
    registry: config.nodesFile !== undefined ? { kind: "file", file: config.nodesFile } : { kind: "chain" },
  };
}
