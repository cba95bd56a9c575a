"""L1: pure defaulting and validation rules, each returning field errors with a path and the user-facing message.

Shared by the admission webhooks and the CLI.
"""
