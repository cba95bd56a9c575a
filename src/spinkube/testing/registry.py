"""A real OCI registry for tests: Debian's ``docker-registry`` (distribution 2.8) on a free
loopback port with its own storage, optionally behind htpasswd (bcrypt) or token auth.

The token flavour starts :class:`TokenIssuer`, a small HTTP token service that checks basic
credentials and signs JWTs (RS256, ``x5c`` header) with a throw-away key made by ``openssl``;
the registry trusts its certificate through ``rootcertbundle``.
"""

from __future__ import annotations

import base64
import contextlib
import json
import secrets
import shutil
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from spinkube.testing import free_port

REGISTRY_BINARY = "/usr/bin/docker-registry"
SERVICE = "spinkube-test-registry"
ISSUER = "spinkube-test-issuer"


def registry_available() -> bool:
    return Path(REGISTRY_BINARY).exists() and shutil.which("htpasswd") is not None


@dataclass
class RunningRegistry:
    host: str
    """``127.0.0.1:<port>``: use it as the registry part of references."""
    storage: Path
    username: str | None = None
    password: str | None = None
    log: Path | None = None
    issuer: TokenIssuer | None = None

    def ref(self, repository: str, tag: str = "latest") -> str:
        return f"{self.host}/{repository}:{tag}"

    def blob_file(self, digest: str) -> Path:
        """Where the registry keeps a blob's bytes on disk (to corrupt it in tests)."""
        hexpart = digest.split(":", 1)[1]
        return self.storage / "docker/registry/v2/blobs/sha256" / hexpart[:2] / hexpart / "data"


@contextlib.contextmanager
def running_registry(
    workdir: Path,
    *,
    credentials: tuple[str, str] | None = None,
    token_auth: bool = False,
) -> Iterator[RunningRegistry]:
    """Start a registry in ``workdir``; plain, with htpasswd ``credentials``, or with token
    auth (``credentials`` then belong to the token service). Stops it on exit."""
    workdir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    storage = workdir / "storage"
    registry = RunningRegistry(f"127.0.0.1:{port}", storage, log=workdir / "registry.log")
    if credentials:
        registry.username, registry.password = credentials
    with contextlib.ExitStack() as stack:
        auth = ""
        if token_auth:
            issuer = stack.enter_context(TokenIssuer.running(workdir / "token", credentials))
            registry.issuer = issuer
            auth = _token_auth(issuer)
        elif credentials:
            auth = _htpasswd_auth(workdir, *credentials)
        config = workdir / "config.yml"
        config.write_text(_config(port, storage, auth), encoding="utf-8")
        process = stack.enter_context(
            _process([REGISTRY_BINARY, "serve", str(config)], registry.log)
        )
        _wait_until_serving(f"http://{registry.host}/v2/", process, registry.log)
        yield registry


def _config(port: int, storage: Path, auth: str) -> str:
    return f"""version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: {storage}
  delete:
    enabled: true
http:
  addr: 127.0.0.1:{port}
  secret: {secrets.token_hex(16)}
{auth}"""


def _htpasswd_auth(workdir: Path, username: str, password: str) -> str:
    line = subprocess.run(
        ["htpasswd", "-Bbn", username, password], check=True, capture_output=True, text=True
    ).stdout.strip()
    path = workdir / "htpasswd"
    path.write_text(line + "\n", encoding="utf-8")
    return f"auth:\n  htpasswd:\n    realm: basic-realm\n    path: {path}\n"


def _token_auth(issuer: TokenIssuer) -> str:
    return (
        "auth:\n  token:\n"
        f"    realm: {issuer.realm}\n    service: {SERVICE}\n    issuer: {ISSUER}\n"
        f"    rootcertbundle: {issuer.certificate}\n"
    )


@contextlib.contextmanager
def _process(argv: list[str], log: Path | None) -> Iterator[subprocess.Popen[bytes]]:
    with open(log or "/dev/null", "wb") as out:
        process = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT)
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_serving(
    url: str, process: subprocess.Popen[bytes], log: Path | None, timeout: float = 30.0
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            text = log.read_text(errors="replace") if log else ""
            raise RuntimeError(f"docker-registry exited with {process.returncode}: {text[-2000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return  # 401 from an auth-enabled registry: it is serving
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"docker-registry did not answer {url} within {timeout}s")


@dataclass
class TokenIssuer:
    """The Docker token service: ``GET <realm>?service=..&scope=..`` with basic auth."""

    realm: str
    certificate: Path
    key: Path
    credentials: tuple[str, str] | None
    requests: list[dict[str, list[str]]] = field(default_factory=list)
    """The query (or form) of every token request, for tests to assert the flow happened."""
    refresh_token: str = field(default_factory=lambda: secrets.token_hex(16))
    """The identity token (``identitytoken`` in config.json) the OAuth2 POST flow accepts."""

    @classmethod
    @contextlib.contextmanager
    def running(cls, workdir: Path, credentials: tuple[str, str] | None) -> Iterator[TokenIssuer]:
        workdir.mkdir(parents=True, exist_ok=True)
        key, cert = workdir / "key.pem", workdir / "cert.pem"
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key),
             "-out", str(cert), "-days", "1", "-subj", "/CN=spinkube-test-token-issuer"],
            check=True, capture_output=True,
        )  # fmt: skip
        server = ThreadingHTTPServer(("127.0.0.1", 0), _TokenHandler)
        issuer = cls(f"http://127.0.0.1:{server.server_port}/token", cert, key, credentials)
        server.issuer = issuer  # type: ignore[attr-defined]
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield issuer
        finally:
            server.shutdown()
            server.server_close()
            thread.join()

    def authorized(self, header: str | None) -> str | None:
        """The user name when the basic credentials are right (or none are required)."""
        if self.credentials is None:
            return "anonymous"
        if not header or not header.startswith("Basic "):
            return None
        user, _, password = base64.b64decode(header[6:]).decode().partition(":")
        return user if (user, password) == self.credentials else None

    def token(self, subject: str, scopes: list[str]) -> str:
        now = int(time.time())
        access = []
        for scope in scopes:
            kind, _, rest = scope.partition(":")
            name, _, actions = rest.rpartition(":")
            access.append({"type": kind, "name": name, "actions": actions.split(",")})
        claims = {
            "iss": ISSUER, "sub": subject, "aud": SERVICE, "exp": now + 600, "nbf": now - 60,
            "iat": now, "jti": secrets.token_hex(8), "access": access,
        }  # fmt: skip
        header = {"typ": "JWT", "alg": "RS256", "x5c": [self._certificate_der()]}
        signing_input = (
            f"{_b64url(json.dumps(header).encode())}.{_b64url(json.dumps(claims).encode())}"
        )
        signature = subprocess.run(
            ["openssl", "dgst", "-sha256", "-sign", str(self.key)],
            input=signing_input.encode(), check=True, capture_output=True,
        ).stdout  # fmt: skip
        return f"{signing_input}.{_b64url(signature)}"

    def _certificate_der(self) -> str:
        pem = self.certificate.read_text(encoding="ascii")
        return "".join(line for line in pem.splitlines() if not line.startswith("-----"))


class _TokenHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        issuer: TokenIssuer = self.server.issuer  # type: ignore[attr-defined]
        query = parse_qs(urlparse(self.path).query)
        issuer.requests.append(query)
        subject = issuer.authorized(self.headers.get("Authorization"))
        if subject is None:
            self._reply(401, {"errors": [{"code": "UNAUTHORIZED", "message": "bad credentials"}]})
            return
        token = issuer.token(subject, query.get("scope", []))
        self._reply(200, {"token": token, "access_token": token, "expires_in": 600})

    def do_POST(self) -> None:
        """The OAuth2 flow: ``grant_type=refresh_token`` with an identity token."""
        issuer: TokenIssuer = self.server.issuer  # type: ignore[attr-defined]
        length = int(self.headers.get("Content-Length") or 0)
        form = parse_qs(self.rfile.read(length).decode())
        issuer.requests.append(form)
        grant = form.get("grant_type", [""])[0]
        if grant != "refresh_token" or form.get("refresh_token") != [issuer.refresh_token]:
            self._reply(401, {"errors": [{"code": "UNAUTHORIZED", "message": "bad token"}]})
            return
        token = issuer.token("identity-token-user", form.get("scope", []))
        self._reply(200, {"access_token": token, "expires_in": 600})

    def _reply(self, status: int, body: dict[str, object]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        pass


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()
