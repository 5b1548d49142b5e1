import { createPublicClient, http, webSocket, type PublicClient } from "viem";

/**
 * A viem public client for `rpcUrl` (http(s) or ws(s)). `cacheTime: 0`: viem would otherwise answer
 * `getBlockNumber` from a 4-second cache, and the indexers and the epoch job need the head as it is.
 */
export function createChainClient(rpcUrl: string): PublicClient {
  const transport = /^wss?:/.test(rpcUrl) ? webSocket(rpcUrl) : http(rpcUrl, { retryCount: 3 });
  return createPublicClient({ transport, cacheTime: 0, pollingInterval: 500 }) as PublicClient;
}
