"""L1: the Spin application model (spin.toml, the locked app, runtime-config.toml). Pure."""
