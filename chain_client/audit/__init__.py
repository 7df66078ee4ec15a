"""Auditing the fund-flow ledger."""
