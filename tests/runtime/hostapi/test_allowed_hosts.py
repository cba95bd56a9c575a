"""allowed_outbound_hosts parsing and matching, case by case as Spin's outbound-networking."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spinkube.runtime.hostapi import HostApiConfigError, parse_allowed_hosts, parse_pattern
from spinkube.runtime.hostapi.allowed_hosts import PatternError, parse_outbound_url

# (patterns, url, default scheme, allowed?)
MATCHES = [
    pytest.param(["http://example.com"], "http://example.com/a/b", "http", True, id="exact"),
    pytest.param(["http://example.com"], "http://example.com:80/", "http", True, id="default-80"),
    pytest.param(
        ["http://example.com"], "http://example.com:8080/", "http", False, id="other-port"
    ),
    pytest.param(["http://example.com"], "https://example.com/", "https", False, id="other-scheme"),
    pytest.param(["https://example.com"], "https://example.com", "https", True, id="https-443"),
    pytest.param(["https://example.com/"], "https://example.com", "https", True, id="slash"),
    pytest.param(["http://Example.COM"], "http://example.com", "http", True, id="host-case"),
    pytest.param(["http://example.com:8383"], "example.com:8383", "http", True, id="no-scheme"),
    pytest.param(["*://example.com:7777"], "ftp://example.com:7777", "http", True, id="any-scheme"),
    pytest.param(["http://*.example.com"], "http://a.example.com", "http", True, id="subdomain"),
    pytest.param(["http://*.example.com"], "http://a.b.example.com", "http", True, id="deep-sub"),
    pytest.param(["http://*.example.com"], "http://example.com", "http", False, id="sub-not-apex"),
    pytest.param(["http://*.example.com"], "http://myexample.com", "http", False, id="sub-suffix"),
    pytest.param(["http://*:*"], "http://anything:1234", "http", True, id="any-host-port"),
    pytest.param(["*://*:*"], "redis://10.0.0.1:6379", "redis", True, id="allow-all"),
    pytest.param(["http://h:1000..2000"], "http://h:1000", "http", True, id="range-start"),
    pytest.param(["http://h:1000..2000"], "http://h:1999", "http", True, id="range-inside"),
    pytest.param(["http://h:1000..2000"], "http://h:2000", "http", False, id="range-end-excl"),
    pytest.param(["http://h:1000..2000"], "http://h:999", "http", False, id="range-below"),
    pytest.param(["*://127.0.0.0/24:80"], "http://127.0.0.9", "http", True, id="cidr"),
    pytest.param(["*://127.0.0.0/24:80"], "http://127.0.1.9", "http", False, id="cidr-outside"),
    pytest.param(["http://[::1]:8001"], "http://[::1]:8001/x", "http", True, id="ipv6"),
    pytest.param(["redis://cache"], "redis://cache", "redis", True, id="redis-6379"),
    pytest.param(["redis://cache"], "redis://cache:6380", "redis", False, id="redis-other"),
    pytest.param(
        ["mysql://xyz.com"], "mysql://user:pass#word@xyz.com", "mysql", True, id="userinfo"
    ),
    pytest.param(["http://self"], "http://self/", "http", False, id="self-not-absolute"),
    pytest.param([], "http://example.com", "http", False, id="deny-by-default"),
    pytest.param(["http://a.com", "http://b.com"], "http://b.com", "http", True, id="second"),
    pytest.param(["http://example.com"], "not a url at all", "http", False, id="unparsable"),
]


@pytest.mark.parametrize(("patterns", "url", "scheme", "allowed"), MATCHES)
def test_matching(patterns: list[str], url: str, scheme: str, allowed: bool) -> None:
    hosts = parse_allowed_hosts(patterns, {}, component_id="c")
    assert hosts.allows(url, scheme) is allowed


RELATIVE = [
    pytest.param(["http://self"], True, id="self"),
    pytest.param(["https://self.alt"], True, id="self-alt"),
    pytest.param(["*://*:*"], True, id="any"),
    pytest.param(["http://example.com"], False, id="other-host"),
    pytest.param(["redis://self"], False, id="self-other-scheme"),
    pytest.param([], False, id="none"),
]


@pytest.mark.parametrize(("patterns", "allowed"), RELATIVE)
def test_relative_urls_need_self(patterns: list[str], allowed: bool) -> None:
    assert parse_allowed_hosts(patterns, {}, component_id="c").allows_relative() is allowed


INVALID = [
    pytest.param("example.com", "does not contain a scheme", id="no-scheme"),
    pytest.param("example.com:80", "does not contain a scheme", id="host-port-no-scheme"),
    pytest.param("*", "does not contain a scheme", id="bare-star"),
    pytest.param("http://example.com/a", "hosts must not contain paths", id="path"),
    pytest.param("http://example.com:6666/a/b", "has a path", id="port-path"),
    pytest.param("http://*.example.com/a", "hosts must not contain paths", id="wild-path"),
    pytest.param("http://a.*.com", "only as subdomains", id="inner-star"),
    pytest.param("http://*.*.com", "only as prefixes", id="double-star"),
    pytest.param("h2c://example.com", "non alphabetic", id="scheme-digit"),
    pytest.param("{http,https}://example.com", "scheme lists", id="scheme-list"),
    pytest.param("http://{a,b}.com", "host lists", id="host-list"),
    pytest.param("tcp://example.com", "does not have a known default port", id="no-default"),
    pytest.param("*://example.com", "does not have a known default port", id="star-no-port"),
    pytest.param("http://example.com:http", "is not a number", id="port-name"),
    pytest.param("http://example.com:70000", "is not a number", id="port-too-big"),
    pytest.param("http://example.com:1..x", "contains non-number", id="range-bad"),
    pytest.param("http://[::1]", "is not a number", id="ipv6-no-port"),
    pytest.param("*://127.0.0.0/24", "does not have a known default port", id="cidr-no-port"),
]


@pytest.mark.parametrize(("pattern", "problem"), INVALID)
def test_invalid_patterns(pattern: str, problem: str) -> None:
    with pytest.raises(PatternError, match=problem):
        parse_pattern(pattern)


def test_invalid_pattern_is_a_startup_error_naming_component_and_pattern() -> None:
    with pytest.raises(HostApiConfigError) as err:
        parse_allowed_hosts(["http://ok.com", "example.com"], {}, component_id="api")
    assert err.value.message == (
        "component 'api': allowed_outbound_hosts: invalid pattern 'example.com': "
        "'example.com' does not contain a scheme (e.g., 'http://' or '*://')"
    )


def test_insecure_allow_all_is_refused_as_spin_does() -> None:
    with pytest.raises(HostApiConfigError, match=r"use '\*://\*:\*' instead"):
        parse_allowed_hosts(["insecure:allow-all"], {}, component_id="api")


TEMPLATES = [
    pytest.param(["https://{{ host }}"], "https://api.example.com", True, id="host"),
    pytest.param(["https://{{host}}:{{ port }}"], "https://api.example.com:8443", True, id="port"),
    pytest.param(["{{ scheme }}://{{ host }}"], "http://api.example.com", True, id="scheme"),
    pytest.param(["https://{{ host }}"], "https://other.example.com", False, id="other-host"),
]


@pytest.mark.parametrize(("patterns", "url", "allowed"), TEMPLATES)
def test_templates_render_with_app_variables(patterns: list[str], url: str, allowed: bool) -> None:
    variables = {"host": "api.example.com", "port": "8443", "scheme": "http"}
    hosts = parse_allowed_hosts(patterns, variables, component_id="c")
    assert hosts.allows(url, "https") is allowed


def test_template_with_undefined_variable_is_a_startup_error() -> None:
    with pytest.raises(HostApiConfigError, match=r"component 'c'.*'https://\{\{ nope \}\}'"):
        parse_allowed_hosts(["https://{{ nope }}"], {}, component_id="c")


def test_template_rendering_to_an_invalid_pattern_names_the_template() -> None:
    with pytest.raises(HostApiConfigError, match=r"'\{\{ host \}\}'.*does not contain a scheme"):
        parse_allowed_hosts(["{{ host }}"], {"host": "example.com"}, component_id="c")


def test_template_lookup_may_be_a_function() -> None:
    hosts = parse_allowed_hosts(["http://{{ h }}"], {"h": "x.test"}.get, component_id="c")
    assert hosts.allows("http://x.test/", "http")


def test_outbound_url_reads_host_port_with_the_default_scheme() -> None:
    url = parse_outbound_url("cache.local:6380", "redis")
    assert (url.scheme, url.host, url.port) == ("redis", "cache.local", 6380)


LABEL = st.from_regex(r"[a-z][a-z0-9-]{0,10}[a-z0-9]", fullmatch=True)
HOST = st.lists(LABEL, min_size=1, max_size=4).map(".".join)
PORT = st.integers(min_value=1, max_value=65534)


@given(host=HOST, port=PORT, path=st.from_regex(r"(/[a-z0-9]{0,8}){0,3}", fullmatch=True))
def test_exact_pattern_allows_exactly_its_host_and_port(host: str, port: int, path: str) -> None:
    hosts = parse_allowed_hosts([f"https://{host}:{port}"], {}, component_id="c")
    assert hosts.allows(f"https://{host}:{port}{path}", "https")
    assert not hosts.allows(f"https://{host}:{port + 1}{path}", "https")
    assert not hosts.allows(f"http://{host}:{port}{path}", "http")
    assert not hosts.allows(f"https://x{host}:{port}{path}", "https")


@given(sub=LABEL, host=HOST)
def test_subdomain_pattern_allows_subdomains_only(sub: str, host: str) -> None:
    hosts = parse_allowed_hosts([f"http://*.{host}"], {}, component_id="c")
    assert hosts.allows(f"http://{sub}.{host}/", "http")
    assert not hosts.allows(f"http://{host}/", "http")


@given(text=st.text(max_size=40))
def test_any_text_parses_or_is_a_startup_error(text: str) -> None:
    outcome: str
    try:
        outcome = f"{len(parse_allowed_hosts([text], {}, component_id='c').patterns)} pattern"
    except HostApiConfigError as exc:
        outcome = exc.message
    assert outcome == "1 pattern" or outcome.startswith(
        "component 'c': allowed_outbound_hosts: invalid pattern"
    )
