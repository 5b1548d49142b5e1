-- 002: the epoch job. Its cursor and each step's output (epoch_jobs), the per-node aggregate of an epoch
-- (epoch_nodes), the tree's leaves and node layers packed into chunks (epoch_leaves, epoch_tree), the
-- transactions it signs and sends (chain_txs), and MinerStaking's ActiveStakeUpdated events (stake_events),
-- from which the stake of every operator at an epoch's end is computed without one RPC call per operator.

-- One row per epoch the job has worked on. `step` is the cursor: the last step whose output is recorded
-- (each step writes its output and moves `step` in one transaction).
--   aggregated: the epoch is sealed; epoch_nodes holds bytes per node; snapshot block and receipts hash known
--   computed:   rewards, tree and bundle: epoch_leaves / epoch_tree rows, root, total, data hash, bundle file
--   signed:     the oracle signatures over EpochRoot(epoch, root, total, dataHash)
--   proposed:   proposeRoot confirmed on chain (tx hash, block)
CREATE TABLE epoch_jobs (
  epoch               bigint PRIMARY KEY CHECK (epoch >= 0),
  step                text NOT NULL CHECK (step IN ('aggregated', 'computed', 'signed', 'proposed')),
  -- aggregated
  snapshot_block      bigint NOT NULL,
  receipts_count      bigint NOT NULL,
  receipts_hash       bytea NOT NULL CHECK (octet_length(receipts_hash) = 32),
  -- nodes with traffic and an operator at the snapshot / with traffic but deregistered by then
  node_count          bigint NOT NULL,
  unowned_node_count  bigint NOT NULL,
  unowned_bytes       numeric NOT NULL,
  -- computed (wei amounts and bytes as numeric)
  emission            numeric,
  carry_in            numeric,
  max_boost_bps       numeric,
  full_stake_per_node numeric,
  total_weight        numeric,
  carry_out           numeric,
  root                bytea CHECK (octet_length(root) = 32),
  total               numeric,
  data_hash           bytea CHECK (octet_length(data_hash) = 32),
  operator_count      bigint,
  -- leaves of the tree (1 for the placeholder tree) / accounts with a cumulative amount
  leaf_count          bigint,
  account_count       bigint,
  bundle_file         text,
  bundle_bytes        bigint,
  -- signed: JSON array of 0x signatures, sorted by signer address
  signatures          text,
  -- proposed
  tx_hash             bytea,
  block_number        bigint,
  proposed_at         bigint,
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now()
);

-- The aggregate of an epoch: bytes per node (sum over its counted receipts) and the node's operator at the
-- stake snapshot (from node_events). Nodes without an operator then are left out (counted in epoch_jobs).
CREATE TABLE epoch_nodes (
  epoch    bigint NOT NULL,
  node     bytea NOT NULL CHECK (octet_length(node) = 20),
  operator bytea NOT NULL CHECK (octet_length(operator) = 20),
  bytes    numeric NOT NULL CHECK (bytes > 0),
  PRIMARY KEY (epoch, node)
);

-- The accounts of an epoch's tree, ascending, packed 56 bytes each: account (20) | cumulative amount (32,
-- big-endian) | tree index (4, big-endian), in chunks; first_account finds the chunk of an account.
CREATE TABLE epoch_leaves (
  epoch         bigint NOT NULL,
  chunk         integer NOT NULL,
  first_account bytea NOT NULL,
  data          bytea NOT NULL,
  PRIMARY KEY (epoch, chunk)
);
CREATE INDEX epoch_leaves_first_account_idx ON epoch_leaves (epoch, first_account);

-- The tree's 2n - 1 nodes of 32 bytes in OpenZeppelin array order (root first), in chunks of 32,768 nodes.
-- A proof reads its ~log2(n) nodes with substring(): EXTERNAL storage (no compression) makes that a read
-- of the few pages concerned, not of the whole chunk.
CREATE TABLE epoch_tree (
  epoch bigint NOT NULL,
  chunk integer NOT NULL,
  data  bytea NOT NULL,
  PRIMARY KEY (epoch, chunk)
);
ALTER TABLE epoch_tree ALTER COLUMN data SET STORAGE EXTERNAL;
ALTER TABLE epoch_leaves ALTER COLUMN data SET STORAGE EXTERNAL;

-- Transactions the oracle signed, stored before they are broadcast, so that a job killed at any point finds
-- them again (rebroadcast, wait, or see that the nonce went to another) instead of sending a second one.
CREATE TABLE chain_txs (
  id           bigserial PRIMARY KEY,
  kind         text NOT NULL CHECK (kind IN ('mint', 'propose', 'accept')),
  epoch        bigint NOT NULL,
  sender       bytea NOT NULL CHECK (octet_length(sender) = 20),
  nonce        bigint NOT NULL,
  tx_hash      bytea NOT NULL UNIQUE CHECK (octet_length(tx_hash) = 32),
  raw          bytea NOT NULL,
  status       text NOT NULL CHECK (status IN ('sent', 'mined', 'reverted', 'dropped')),
  block_number bigint,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX chain_txs_kind_epoch_idx ON chain_txs (kind, epoch);

-- MinerStaking's ActiveStakeUpdated(operator, activeStake, timestamp) events: an operator's stake at time t is
-- the activeStake of its last event with timestamp <= t (0 without one), exactly what stakeAt(operator, t) says.
CREATE TABLE stake_events (
  block_number bigint NOT NULL,
  log_index    integer NOT NULL,
  operator     bytea NOT NULL CHECK (octet_length(operator) = 20),
  stake        numeric NOT NULL CHECK (stake >= 0),
  "timestamp"  bigint NOT NULL,
  PRIMARY KEY (block_number, log_index)
);
CREATE INDEX stake_events_operator_idx ON stake_events (operator, "timestamp", block_number, log_index);

-- The operator of a node at a past block: its last node event at or before that block.
CREATE INDEX node_events_node_idx ON node_events (node, block_number, log_index);
