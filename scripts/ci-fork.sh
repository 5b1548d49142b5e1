#!/usr/bin/env bash
# `npm run test:fork:ci`: proves the auditors' fork suite on every change.
#
#   1. starts a local Hardhat node on a free port (127.0.0.1 only; stopped by its PID on exit),
#   2. deploys the whole system to it with deployments/config/localhost.json,
#   3. gives the deployment some history (scripts/fork-history.ts: claims, stakes, releases, roots),
#   4. runs the fork suite against it (FORK_URL=<node> npm run test:fork) twice: forked at the block the
#      deploy ended at (FORK_BLOCK, the fresh deployment), and at the latest block (with the history),
#   5. checks that the suite fails, with a one-line reason and a non-zero exit, when FORK_URL is unreachable
#      or missing, or when the deployments file is missing or belongs to another chain.
#
# A developer's own deployments/localhost.json is kept: the fresh deployment record lives in a temp dir.
set -euo pipefail
cd "$(dirname "$0")/.."

HARDHAT=node_modules/.bin/hardhat
WORK=$(mktemp -d)
NODE_PID=""
BACKUP=""

cleanup() {
  local status=$?
  if [[ -n "$NODE_PID" ]] && kill -0 "$NODE_PID" 2>/dev/null; then
    kill "$NODE_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$NODE_PID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$NODE_PID" 2>/dev/null || true
  fi
  if [[ -n "$BACKUP" && -f "$BACKUP" ]]; then mv -f "$BACKUP" deployments/localhost.json; fi
  rm -rf "$WORK"
  exit "$status"
}
trap cleanup EXIT INT TERM

step() { echo; echo "== [$((SECONDS))s] $*"; }
fail() { echo "ci-fork: FAILED: $*" >&2; exit 1; }

# JSON-RPC call of method $2 (no params) against $1; prints the result, exits non-zero if there is none.
rpc() {
  node -e '
    const req = require("http").request(process.argv[1], { method: "POST", headers: { "content-type": "application/json" }, timeout: 2000 }, (res) => {
      let body = ""; res.on("data", (c) => (body += c)); res.on("end", () => { try { console.log(JSON.parse(body).result); } catch { process.exit(1); } });
    });
    req.on("error", () => process.exit(1)); req.on("timeout", () => req.destroy());
    req.end(JSON.stringify({ jsonrpc: "2.0", id: 1, method: process.argv[2], params: [] }));
  ' "$1" "$2"
}

step "compile"
"$HARDHAT" compile --quiet

step "start a local node"
PORT=$(node -e 'const s = require("net").createServer(); s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });')
URL="http://127.0.0.1:$PORT"
"$HARDHAT" node --hostname 127.0.0.1 --port "$PORT" >"$WORK/node.log" 2>&1 &
NODE_PID=$!
for _ in $(seq 1 120); do
  rpc "$URL" eth_chainId >/dev/null 2>&1 && break
  kill -0 "$NODE_PID" 2>/dev/null || { cat "$WORK/node.log"; fail "the node exited"; }
  sleep 0.5
done
rpc "$URL" eth_chainId >/dev/null || fail "the node at $URL did not answer within 60 s"
echo "node $NODE_PID at $URL (chain id $(rpc "$URL" eth_chainId))"

step "deploy the system to it (deployments/config/localhost.json)"
if [[ -f deployments/localhost.json ]]; then
  BACKUP="$WORK/localhost.json.backup"
  cp deployments/localhost.json "$BACKUP"
fi
LOCALHOST_RPC_URL="$URL" "$HARDHAT" run scripts/deploy.ts --network localhost >"$WORK/deploy.log" 2>&1 ||
  { cat "$WORK/deploy.log"; fail "deploy"; }
tail -n 7 "$WORK/deploy.log"
DEPLOYMENT="$WORK/localhost.json"
mv deployments/localhost.json "$DEPLOYMENT"
if [[ -n "$BACKUP" ]]; then mv -f "$BACKUP" deployments/localhost.json; BACKUP=""; fi

DEPLOYED_BLOCK=$(($(rpc "$URL" eth_blockNumber)))

step "give the deployment some history (claims, stakes, releases, an accepted and a pending root)"
FORK_DEPLOYMENT="$DEPLOYMENT" LOCALHOST_RPC_URL="$URL" "$HARDHAT" run scripts/fork-history.ts --network localhost

step "fork suite against the fresh deployment (FORK_BLOCK=$DEPLOYED_BLOCK, the block the deploy ended at)"
FORK_URL="$URL" FORK_DEPLOYMENT="$DEPLOYMENT" FORK_BLOCK="$DEPLOYED_BLOCK" npm run --silent test:fork -- --no-compile

step "fork suite against the deployment with its history (latest block)"
FORK_URL="$URL" FORK_DEPLOYMENT="$DEPLOYMENT" npm run --silent test:fork -- --no-compile

# The suite must fail, not skip, with its one-line reason, when it cannot run against the right chain.
expect_failure() {
  local name=$1 reason=$2
  shift 2
  local out="$WORK/$name.out" status=0
  env "$@" npm run --silent test:fork -- --no-compile >"$out" 2>&1 || status=$?
  if [[ $status -eq 0 ]]; then cat "$out"; fail "$name: the suite exited 0"; fi
  if ! grep -qF -- "$reason" "$out"; then cat "$out"; fail "$name: no \"$reason\" in the output"; fi
  if grep -qE "^\s+[0-9]+ passing" "$out" && ! grep -qE "^\s+0 passing" "$out"; then
    cat "$out"; fail "$name: tests ran although the preflight failed"
  fi
  echo "ok: $name -> exit $status: $(grep -m1 -F -- "$reason" "$out" | sed 's/^ *//')"
}

step "the suite fails clearly when it cannot run"
node -e 'const r = require(process.argv[1]); r.chainId = 1; require("fs").writeFileSync(process.argv[2], JSON.stringify(r));' \
  "$DEPLOYMENT" "$WORK/other-chain.json"
expect_failure "unreachable FORK_URL" "FORK_URL http://127.0.0.1:1 is unreachable" \
  FORK_URL=http://127.0.0.1:1 FORK_DEPLOYMENT="$DEPLOYMENT"
expect_failure "missing FORK_URL" "FORK_URL is not set" -u FORK_URL FORK_DEPLOYMENT="$DEPLOYMENT"
expect_failure "missing deployments file" "does not exist" FORK_URL="$URL" FORK_DEPLOYMENT="$WORK/none.json"
expect_failure "deployments file of another chain" "is for chain id 1, but FORK_URL" \
  FORK_URL="$URL" FORK_DEPLOYMENT="$WORK/other-chain.json"

step "fork suite CI passed"
