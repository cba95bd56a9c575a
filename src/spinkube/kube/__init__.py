"""L2: the only package that talks to the Kubernetes API (client, server-side apply, errors)."""
