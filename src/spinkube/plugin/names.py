"""Kubernetes object-name rules the plugin checks before anything reaches the API."""

from __future__ import annotations

import re

_DNS1123_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
_DNS1035_LABEL = re.compile(r"[a-z]([-a-z0-9]*[a-z0-9])?")
SUBDOMAIN_MAX = 253
LABEL_MAX = 63


def is_dns1123_subdomain(name: str) -> bool:
    """Upstream's `--name` rule: a DNS subdomain of at most 253 characters."""
    return 0 < len(name) <= SUBDOMAIN_MAX and _DNS1123_SUBDOMAIN.fullmatch(name) is not None


def is_dns1035_label(name: str) -> bool:
    """The rule a SpinApp name must meet for the operator's Service of the same name."""
    return 0 < len(name) <= LABEL_MAX and _DNS1035_LABEL.fullmatch(name) is not None
