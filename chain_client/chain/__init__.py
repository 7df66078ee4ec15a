"""Chains and workspaces: the persistent embedded chain, JSON-RPC nodes, aliases and keys."""
