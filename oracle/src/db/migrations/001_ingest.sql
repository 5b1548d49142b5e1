-- 001: receipt ingest. Clients (registered consumer keys), accepted receipts (latest per session),
-- per-client usage (quota), the node registry indexed from MinerStaking, chain cursors, sealed epochs.
-- Addresses, hashes and signatures are bytea; byte counts and epochs are bigint.

-- Facts about the deployment this database belongs to (chain id, MinerStaking): the oracle refuses to
-- start on a database made for another chain or contract.
CREATE TABLE oracle_meta (
  key   text PRIMARY KEY,
  value text NOT NULL
);

-- Consumer keys that may sign receipts, registered by the oracle operator (CLI `oracle clients`).
CREATE TABLE clients (
  address     bytea PRIMARY KEY CHECK (octet_length(address) = 20),
  -- the operator this client belongs to: its receipts for that operator's nodes are self-dealing
  operator    bytea NOT NULL CHECK (octet_length(operator) = 20),
  -- bytes per epoch, summed over the latest receipt of each of the client's sessions
  quota_bytes bigint NOT NULL CHECK (quota_bytes >= 0),
  disabled    boolean NOT NULL DEFAULT false,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);

-- Accepted receipts: one row per (epoch, client, session), the latest (highest byte count) receipt.
-- The epoch job reads an epoch's rows (primary-key range scan on epoch).
CREATE TABLE receipts (
  epoch       bigint NOT NULL CHECK (epoch >= 0),
  client      bytea NOT NULL CHECK (octet_length(client) = 20),
  session     bytea NOT NULL CHECK (octet_length(session) = 32),
  node        bytea NOT NULL CHECK (octet_length(node) = 20),
  bytes       bigint NOT NULL CHECK (bytes >= 0),
  signature   bytea NOT NULL CHECK (octet_length(signature) = 65),
  -- EIP-712 digest of the receipt (what the client signed)
  digest      bytea NOT NULL CHECK (octet_length(digest) = 32),
  received_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (epoch, client, session)
);

-- Running sum of the client's accepted bytes in an epoch (latest receipt per session). Its row is the
-- lock that serialises every write for that (epoch, client), across all ingest processes.
CREATE TABLE client_usage (
  epoch  bigint NOT NULL,
  client bytea NOT NULL,
  bytes  bigint NOT NULL DEFAULT 0 CHECK (bytes >= 0),
  PRIMARY KEY (epoch, client)
);

-- Node -> operator, as of the indexed chain head (NULL operator: deregistered). `seq` grows with every
-- change so that other processes can tail the table.
CREATE SEQUENCE node_change_seq;
CREATE TABLE nodes (
  node         bytea PRIMARY KEY CHECK (octet_length(node) = 20),
  operator     bytea CHECK (octet_length(operator) = 20),
  block_number bigint NOT NULL,
  log_index    integer NOT NULL,
  seq          bigint NOT NULL
);
CREATE INDEX nodes_seq_idx ON nodes (seq);

-- Every NodeRegistered / NodeDeregistered event, in chain order (history for the epoch job and audits).
CREATE TABLE node_events (
  block_number bigint NOT NULL,
  log_index    integer NOT NULL,
  tx_hash      bytea NOT NULL,
  node         bytea NOT NULL,
  operator     bytea NOT NULL,
  registered   boolean NOT NULL,
  PRIMARY KEY (block_number, log_index)
);

-- Indexer cursors: every block <= last_block has been applied.
CREATE TABLE chain_cursors (
  name       text PRIMARY KEY,
  last_block bigint NOT NULL
);

-- Epochs closed to ingest for good (the epoch job seals an epoch before reading its receipts).
CREATE TABLE sealed_epochs (
  epoch     bigint PRIMARY KEY,
  sealed_at timestamptz NOT NULL DEFAULT now()
);
