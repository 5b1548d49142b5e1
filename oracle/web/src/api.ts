/** The oracle's HTTP API as the page uses it (same origin). Answers other than 2xx become ApiError. */
import type { Address } from "viem";
import type { NetworkOverviewJson, PublicConfigJson, RewardsJson } from "../../src/http/schemas.js";

// The answers' shapes come from the oracle's response schemas, so the two cannot drift apart.
export type PublicConfig = PublicConfigJson;
export type Overview = NetworkOverviewJson;
export type Rewards = RewardsJson;

export class ApiError extends Error {
  override name = "ApiError";
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function getJson<T>(path: string, allow404 = false): Promise<T | undefined> {
  const res = await fetch(path, { headers: { accept: "application/json" } });
  if (allow404 && res.status === 404) return undefined;
  const body = (await res.json().catch(() => ({}))) as { message?: string };
  if (!res.ok) {
    throw new ApiError(
      res.status,
      `the oracle answered ${res.status} to ${path}: ${body.message ?? "no message"}`,
    );
  }
  return body as T;
}

export const fetchPublicConfig = async () => (await getJson<PublicConfig>("/v1/config"))!;
export const fetchOverview = async () => (await getJson<Overview>("/v1/overview"))!;
/** The account's leaf of the accepted root (and of a pending one); undefined when no root lists it. */
export const fetchRewards = (account: Address) => getJson<Rewards>(`/v1/rewards/${account}`, true);
export const fetchNodes = async (account: Address) =>
  (await getJson<{ nodes: Address[] }>(`/v1/operators/${account}/nodes?limit=50`))!.nodes;
