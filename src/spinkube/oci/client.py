"""The HTTP side of the OCI distribution API: one request helper that handles the auth
challenge (Basic, or the Bearer token flow) and maps failures to :mod:`spinkube.oci.errors`."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import httpx

from spinkube.oci.auth import ANONYMOUS, Credentials, CredentialStore
from spinkube.oci.errors import AuthError, NotFound, OciError, RegistryUnreachable
from spinkube.oci.reference import Reference

logger = logging.getLogger(__name__)

USER_AGENT = "spinkube-oci/0.1"
_CHALLENGE_PARAM = re.compile(r'(\w+)="([^"]*)"')


class RegistryClient:
    """Talks to registries for one set of credentials; reuse it across pulls and pushes.

    ``insecure``: None speaks plain HTTP to loopback registries only (Spin's and containerd's
    convention for local registries), True to every registry, False to none.
    ``transport`` replaces httpx's (tests, proxies).
    """

    def __init__(
        self,
        *,
        credentials: CredentialStore | Credentials | None = None,
        insecure: bool | None = None,
        transport: httpx.BaseTransport | None = None,
        timeout: float = 60.0,
    ) -> None:
        self._credentials = credentials or CredentialStore()
        self._insecure = insecure
        self._http = httpx.Client(
            transport=transport,
            timeout=timeout,
            follow_redirects=True,
            headers={"User-Agent": USER_AGENT},
        )
        self._tokens: dict[tuple[str, str], str] = {}

    def __enter__(self) -> RegistryClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def url(self, ref: Reference, path: str) -> str:
        plain = self._insecure if self._insecure is not None else ref.is_loopback
        scheme = "http" if plain else "https"
        return f"{scheme}://{ref.api_host}/v2/{ref.repository}/{path}"

    def credentials_for(self, ref: Reference) -> Credentials:
        if isinstance(self._credentials, Credentials):
            return self._credentials
        return self._credentials.for_registry(ref.registry)

    def request(
        self,
        method: str,
        ref: Reference,
        path: str,
        *,
        push: bool = False,
        headers: Mapping[str, str] | None = None,
        content: bytes | None = None,
        url: str | None = None,
        params: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """One request, read fully; non-2xx statuses are the caller's to interpret."""
        with self.stream(
            method, ref, path, push=push, headers=headers, content=content, url=url, params=params
        ) as response:
            response.read()
            return response

    @contextmanager
    def stream(
        self,
        method: str,
        ref: Reference,
        path: str,
        *,
        push: bool = False,
        headers: Mapping[str, str] | None = None,
        content: bytes | None = None,
        url: str | None = None,
        params: Mapping[str, str] | None = None,
    ) -> Iterator[httpx.Response]:
        """Like :meth:`request` but the body is left to stream; retried once after a 401."""
        scope = f"repository:{ref.repository}:{'pull,push' if push else 'pull'}"
        target = url or self.url(ref, path)
        for attempt in range(2):
            request = self._http.build_request(
                method, target, headers=self._auth_headers(ref, scope, headers), content=content,
                params=params,
            )  # fmt: skip
            response = self._send(request, ref)
            if response.status_code != 401:
                break
            response.close()
            if attempt == 1:
                raise self._refused(ref)
            self._answer_challenge(ref, scope, response.headers.get("www-authenticate", ""))
        try:
            if response.status_code == 403:
                response.read()
                raise AuthError(f"registry {ref.registry} denied access to {ref.repository}")
            yield response
        finally:
            response.close()

    def _send(self, request: httpx.Request, ref: Reference) -> httpx.Response:
        try:
            return self._http.send(request, stream=True)
        except httpx.TransportError as e:
            raise RegistryUnreachable(f"cannot reach registry {ref.registry}: {_reason(e)}") from e

    def _auth_headers(
        self, ref: Reference, scope: str, extra: Mapping[str, str] | None
    ) -> dict[str, str]:
        headers = dict(extra or {})
        token = self._tokens.get((ref.registry, scope)) or self._tokens.get((ref.registry, ""))
        if token:
            headers["Authorization"] = token
        return headers

    def _answer_challenge(self, ref: Reference, scope: str, challenge: str) -> None:
        kind, _, rest = challenge.partition(" ")
        params = dict(_CHALLENGE_PARAM.findall(rest))
        creds = self.credentials_for(ref)
        if kind.lower() == "basic":
            if not creds.username:
                raise AuthError(f"registry {ref.registry} requires credentials and none were found")
            auth = httpx.BasicAuth(creds.username, creds.password)
            self._tokens[(ref.registry, "")] = _basic_header(auth)
        elif kind.lower() == "bearer" and "realm" in params:
            token = self._fetch_token(ref, params, scope, creds)
            self._tokens[(ref.registry, scope)] = f"Bearer {token}"
        else:
            raise AuthError(f"registry {ref.registry} sent an unsupported challenge {challenge!r}")

    def _fetch_token(
        self, ref: Reference, challenge: Mapping[str, str], scope: str, creds: Credentials
    ) -> str:
        """The Docker token flow: ask the realm for a token for ``scope``."""
        query = {"scope": challenge.get("scope") or scope}
        if "service" in challenge:
            query["service"] = challenge["service"]
        try:
            if creds.identity_token:
                form = {**query, "grant_type": "refresh_token", "client_id": "spinkube"}
                form["refresh_token"] = creds.identity_token
                response = self._http.post(challenge["realm"], data=form)
            else:
                auth = httpx.BasicAuth(creds.username, creds.password) if creds else None
                response = self._http.get(challenge["realm"], params=query, auth=auth)
        except httpx.TransportError as e:
            raise RegistryUnreachable(
                f"cannot reach the token service {challenge['realm']} of {ref.registry}: "
                f"{_reason(e)}"
            ) from e
        if response.status_code in (401, 403):
            raise self._refused(ref, creds)
        if response.status_code != 200:
            raise AuthError(
                f"token service {challenge['realm']} answered {response.status_code} "
                f"for {ref.registry}"
            )
        return _token_from(response, challenge["realm"])

    def _refused(self, ref: Reference, creds: Credentials | None = None) -> AuthError:
        creds = creds if creds is not None else self.credentials_for(ref)
        if creds is ANONYMOUS or not creds:
            return AuthError(f"registry {ref.registry} requires credentials and none were found")
        who = creds.username or "the identity token"
        return AuthError(f"registry {ref.registry} refused the credentials of {who}")


def registry_error(response: httpx.Response, what: str) -> OciError:
    """The error for an unexpected status, with the registry's own error code and message."""
    detail = _error_detail(response)
    if response.status_code == 404:
        return NotFound(f"{what}: not found{detail}")
    return OciError(f"{what}: registry answered {response.status_code}{detail}")


def _error_detail(response: httpx.Response) -> str:
    try:
        body: Any = response.json()
        first = body["errors"][0]
        return f" ({first.get('code', '')}: {first.get('message', '')})"
    except (ValueError, KeyError, IndexError, TypeError):
        return ""


def _token_from(response: httpx.Response, realm: str) -> str:
    try:
        body = response.json()
        token = body.get("token") or body.get("access_token")
    except (ValueError, AttributeError):
        token = None
    if not isinstance(token, str) or not token:
        raise AuthError(f"token service {realm} returned no token")
    return token


def _basic_header(auth: httpx.BasicAuth) -> str:
    request = next(auth.auth_flow(httpx.Request("GET", "http://x")))
    return request.headers["Authorization"]


def _reason(error: Exception) -> str:
    return str(error) or type(error).__name__
