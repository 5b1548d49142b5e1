import { createPublicClient, http, webSocket, type PublicClient } from "viem";

/** A viem public client for `rpcUrl` (http(s) or ws(s)). */
export function createChainClient(rpcUrl: string): PublicClient {
  const transport = /^wss?:/.test(rpcUrl) ? webSocket(rpcUrl) : http(rpcUrl, { retryCount: 3 });
  return createPublicClient({ transport }) as PublicClient;
}
