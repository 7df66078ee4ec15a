"""Credit profiles from the chain's own history: what a supplier did, and the score a
documented, versioned model gives it."""
