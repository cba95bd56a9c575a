"""L2½: what every manager process shares, whatever it controls: bind addresses and flags,
leader election on a Lease, the health and Prometheus metrics servers, and the run loop that
runs the controllers only while leading. Used by `spinkube.operator` and `spinkube.rcm`.
"""
