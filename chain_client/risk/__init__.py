"""Early warning: what a cut-off would do, played on a copy of the chain with the real
contracts."""
