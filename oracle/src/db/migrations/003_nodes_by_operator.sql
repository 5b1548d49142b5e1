-- The web app lists an operator's nodes (GET /v1/operators/:account/nodes): look them up by operator
-- instead of scanning every node.
CREATE INDEX nodes_operator_idx ON nodes (operator) WHERE operator IS NOT NULL;
