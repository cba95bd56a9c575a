"""``allowed_outbound_hosts``: parsing and matching the way Spin's outbound-networking does it.

A pattern is ``scheme://host[:port]``:

* scheme: a name of letters, or ``*`` for any;
* host: a name or IP, ``*`` for any, ``*.example.com`` for any subdomain (not the domain itself),
  an IP network (``127.0.0.0/24``), or ``self`` / ``self.alt`` (the app itself, reached with
  relative URLs);
* port: a number, a range ``1000..2000`` (end excluded, as Spin's), or ``*``; when absent, the
  scheme's well-known port (http 80, https 443, redis 6379, postgres 5432, mysql 3306, mqtt
  1883), and a scheme without one is an error.

``{{ variable }}`` templates are rendered with the application's variables first. Nothing is
allowed unless a pattern allows it. ``insecure:allow-all`` is refused as Spin refuses it (the
manifest's deprecated ``allowed_http_hosts = ["insecure:allow-all"]`` arrives here as
``*://*:*``).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from spinkube.runtime.hostapi.errors import HostApiConfigError
from spinkube.spinapp import TemplateError, render

WELL_KNOWN_PORTS = {
    "postgres": 5432,
    "mysql": 3306,
    "redis": 6379,
    "mqtt": 1883,
    "http": 80,
    "https": 443,
}
ALLOW_ALL_REFUSED = (
    "'insecure:allow-all' is not allowed - use '*://*:*' instead if you really want to "
    "allow all outbound traffic"
)

IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class PatternError(ValueError):
    """An allowed-host pattern Spin would refuse; the message says why."""


@dataclass(frozen=True, slots=True)
class HostRule:
    kind: str
    """``any``, ``subdomain`` (value ``.example.com``), ``self``, ``name`` or ``network``."""
    value: str = ""
    network: IpNetwork | None = None

    def allows(self, host: str) -> bool:
        host = _bare(host)
        if self.kind == "any":
            return True
        if self.kind == "subdomain":
            return host.endswith(self.value)
        if self.kind == "name":
            return host == self.value
        if self.kind == "network" and self.network is not None:
            return _in_network(host, self.network)
        return False


@dataclass(frozen=True, slots=True)
class HostPattern:
    original: str
    scheme: str | None
    """None: any scheme."""
    host: HostRule
    ports: tuple[tuple[int, int], ...] | None
    """Half-open ranges ``[start, end)``; None: any port."""

    def allows(self, url: OutboundUrl) -> bool:
        return (
            self.scheme in (None, url.scheme)
            and self.host.allows(url.host)
            and self._allows_port(url.port, url.scheme)
        )

    def allows_relative(self, schemes: Sequence[str]) -> bool:
        scheme_ok = self.scheme is None or self.scheme in schemes
        return scheme_ok and self.host.kind in ("any", "self")

    def _allows_port(self, port: int | None, scheme: str) -> bool:
        if self.ports is None:
            return True
        port = port if port is not None else WELL_KNOWN_PORTS.get(scheme)
        return port is not None and any(start <= port < end for start, end in self.ports)


@dataclass(frozen=True, slots=True)
class OutboundUrl:
    scheme: str
    host: str
    port: int | None


@dataclass(frozen=True, slots=True)
class AllowedHosts:
    patterns: tuple[HostPattern, ...] = ()

    def allows(self, url: str, default_scheme: str) -> bool:
        """Whether ``url`` (absolute, or ``host[:port]`` read with ``default_scheme``) may be
        reached; an unparsable URL is not allowed."""
        try:
            parsed = parse_outbound_url(url, default_scheme)
        except ValueError:
            return False
        return any(p.allows(parsed) for p in self.patterns)

    def allows_relative(self, schemes: Sequence[str] = ("http", "https")) -> bool:
        """Whether relative URLs (requests to the app itself) are allowed."""
        return any(p.allows_relative(schemes) for p in self.patterns)


def parse_allowed_hosts(
    hosts: Iterable[str],
    variables: Mapping[str, str] | Callable[[str], str | None],
    *,
    component_id: str,
) -> AllowedHosts:
    """Render and parse a component's patterns; a :class:`HostApiConfigError` names the
    component and the pattern that is wrong."""
    hosts = list(hosts)
    if hosts == ["insecure:allow-all"]:
        raise _config_error(component_id, hosts[0], ALLOW_ALL_REFUSED)
    patterns: list[HostPattern] = []
    for host in hosts:
        try:
            patterns.append(parse_pattern(render(host, variables) if "{{" in host else host))
        except (PatternError, TemplateError) as exc:
            raise _config_error(component_id, host, str(exc)) from None
    return AllowedHosts(tuple(patterns))


def parse_pattern(text: str) -> HostPattern:
    url = text.strip()
    scheme, sep, rest = url.partition("://")
    if not sep:
        raise PatternError(f"{url!r} does not contain a scheme (e.g., 'http://' or '*://')")
    host, _, port = rest.rpartition(":") if ":" in rest else (rest, "", "")
    port, _, path = port.partition("/")
    if path:
        raise PatternError(f"{url!r} has a path but is not allowed to")
    return HostPattern(
        original=text,
        scheme=_scheme(scheme),
        host=_host(host),
        ports=_ports(port, scheme),
    )


def parse_outbound_url(url: str, default_scheme: str) -> OutboundUrl:
    """Spin's OutboundUrl: an absolute URL, or ``host[:port]`` read with ``default_scheme``."""
    url = _encode_userinfo(url)
    parts = urlsplit(url)
    if not parts.netloc:
        parts = urlsplit(f"{default_scheme}://{url}")
    host = parts.hostname
    if not host:
        raise ValueError(f"{url!r} does not have a host component")
    return OutboundUrl(scheme=parts.scheme.lower(), host=host, port=parts.port)


def _scheme(scheme: str) -> str | None:
    if scheme == "*":
        return None
    if scheme.startswith("{"):
        raise PatternError("scheme lists are not yet supported")
    if not scheme or not all(c.isalpha() for c in scheme):
        raise PatternError(f"scheme {scheme!r} contains non alphabetic character")
    return scheme.lower()


def _host(host: str) -> HostRule:
    host = host.strip()
    if host == "*":
        return HostRule("any")
    if host in ("self", "self.alt"):
        return HostRule("self")
    if host.startswith("{"):
        raise PatternError("host lists are not yet supported")
    if "/" in host and (network := _network(host)) is not None:
        return HostRule("network", network=network)
    if host.split("/")[1:2] not in ([], [""]):
        raise PatternError("hosts must not contain paths")
    if host.startswith("*."):
        domain = host[2:]
        if "*" in domain:
            raise PatternError(
                f"Invalid allowed host {host}: wildcards are allowed only as prefixes"
            )
        return HostRule("subdomain", "." + _bare(domain).rstrip("/"))
    if "*" in host:
        raise PatternError(f"Invalid allowed host {host}: wildcards are allowed only as subdomains")
    return HostRule("name", _bare(host.rstrip("/")))


def _ports(port: str, scheme: str) -> tuple[tuple[int, int], ...] | None:
    if not port:
        known = WELL_KNOWN_PORTS.get(scheme)
        if known is None:
            raise PatternError(
                f"no port was provided and the scheme {scheme!r} does not have a known "
                "default port number"
            )
        return ((known, known + 1),)
    if port == "*":
        return None
    if port.startswith("{"):
        raise PatternError("port lists are not yet supported")
    if ".." in port:
        start, _, end = port.partition("..")
        problem = f"port range {port!r} contains non-number"
        return ((_port_number(start, problem), _port_number(end, problem)),)
    number = _port_number(port, f"port {port!r} is not a number")
    return ((number, number + 1),)


def _port_number(text: str, problem: str) -> int:
    if not (text.isascii() and text.isdigit()) or int(text) > 65535:
        raise PatternError(problem)
    return int(text)


def _network(host: str) -> IpNetwork | None:
    try:
        return ipaddress.ip_network(host, strict=False)
    except ValueError:
        return None


def _in_network(host: str, network: IpNetwork) -> bool:
    try:
        return ipaddress.ip_address(host) in network
    except ValueError:
        return False


def _bare(host: str) -> str:
    """Lower case, without the brackets of an IPv6 literal."""
    return host.strip().lower().removeprefix("[").removesuffix("]")


def _encode_userinfo(url: str) -> str:
    at = url.find("@")
    if at < 0:
        return url
    scheme_end = url.find("://")
    start = scheme_end + 3 if scheme_end >= 0 else 0
    slash = url.find("/", start)
    if slash >= 0 and at > slash:
        return url
    return url[:start] + quote(url[start:at], safe="") + url[at:]


def _config_error(component_id: str, host: str, problem: str) -> HostApiConfigError:
    return HostApiConfigError(
        f"component {component_id!r}: allowed_outbound_hosts: invalid pattern {host!r}: {problem}"
    )
