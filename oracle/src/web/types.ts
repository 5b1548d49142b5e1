/**
 * What the web endpoints answer, shared by the oracle (oracle/src/http/routes/web.ts) and the page
 * (oracle/web/src/api.ts). Types only: the page's bundle takes nothing from the oracle at run time.
 */
type Address = `0x${string}`;

/** GET /v1/config: the deployment this oracle serves. */
export interface PublicConfig {
  chainId: number;
  /** Public JSON-RPC URL for wallet_addEthereumChain (ORACLE_WEB_RPC_URL), never RPC_URL. */
  rpcUrl: string | null;
  deploymentBlock: number | null;
  epochLength: number;
  genesisTime: number;
  /** Seconds a proposed root waits before it is claimable. */
  challengeWindow: number | null;
  token: { address: Address | null; symbol: string; decimals: number };
  contracts: {
    MSNToken: Address | null;
    MinerStaking: Address;
    RewardsDistributor: Address | null;
    EmissionMinter: Address | null;
  };
}

/** GET /v1/overview: the network as a whole (amounts in wei, as decimal strings). */
export interface NetworkOverview {
  /** The oracle's clock (the chain's time on a devnet), unix seconds. */
  now: number;
  epoch: { current: number; start: number; end: number; length: number; genesisTime: number };
  emission: {
    /** 0-based schedule year; null before the genesis time. */
    year: number | null;
    rateBps: number;
    /** This year's budget and how much of it has been emitted by `now`. */
    yearBudget: string;
    emittedThisYear: string;
    totalMinted: string;
  };
  staking: { totalActive: string; totalUnbonding: string };
  /** The newest proposed root (null before the first proposal). */
  lastRoot: { epoch: number; status: string; root: Address; total: string; claimableAt: number } | null;
  /** The epoch of the latest accepted root. */
  acceptedEpoch: number | null;
}
