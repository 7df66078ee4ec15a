"""The `scf` command: parsing and rendering over `chain_client`, nothing more."""
