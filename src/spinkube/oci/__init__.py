"""L2: the OCI registry client for Spin artifacts (pull, push, auth, cache)."""
