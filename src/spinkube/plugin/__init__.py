"""L3: the spin kube plugin CLI."""
