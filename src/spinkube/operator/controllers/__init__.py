"""The reconcilers, free of kopf: each takes plain Kubernetes JSON, the shared client and an
event recorder, and either finishes or raises `RetryLater` / `Rejected`.

The kopf handlers in `spinkube.operator.handlers` call them and map those two errors to
`kopf.TemporaryError` / `kopf.PermanentError`.
"""
