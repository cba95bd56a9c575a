"""Authentication and authorization reviews, enough for a metrics endpoint that checks its
callers (TokenReview, then SubjectAccessReview), as kube-apiserver answers them.

- `POST .../serviceaccounts/{name}/token` (TokenRequest) issues a token for the account;
- `POST tokenreviews` authenticates tokens issued so, as `system:serviceaccount:<ns>:<name>`
  in the groups `system:serviceaccounts`, `system:serviceaccounts:<ns>`, `system:authenticated`;
- `POST subjectaccessreviews` evaluates RBAC: ClusterRoleBindings (and, for namespaced
  resource attributes, RoleBindings) whose subjects match the user, ServiceAccount or group,
  and whose (Cluster)Role has a rule for the verb and the non-resource URL or the resource.

Reviews are answered, never stored, as on a real API server. Not covered: aggregated
ClusterRoles, `resourceNames`, impersonation, any token not issued here.
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Iterator
from typing import Any

Obj = dict[str, Any]
RBAC = "rbac.authorization.k8s.io"
TOKEN_REVIEWS = ("authentication.k8s.io", "tokenreviews")
ACCESS_REVIEWS = ("authorization.k8s.io", "subjectaccessreviews")
REVIEWS = (TOKEN_REVIEWS, ACCESS_REVIEWS)


class Authenticator:
    """The tokens this fake API issued, and who they belong to."""

    def __init__(self) -> None:
        self._users: dict[str, Obj] = {}

    def issue(self, namespace: str, account: Obj, request: Obj) -> Obj:
        """The TokenRequest answer for a ServiceAccount."""
        token = secrets.token_urlsafe(32)
        name = account["metadata"]["name"]
        self._users[token] = {
            "username": f"system:serviceaccount:{namespace}:{name}",
            "uid": account["metadata"].get("uid", ""),
            "groups": [
                "system:serviceaccounts",
                f"system:serviceaccounts:{namespace}",
                "system:authenticated",
            ],
        }
        seconds = int((request.get("spec") or {}).get("expirationSeconds") or 3600)
        expiry = datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=seconds)
        return {
            "apiVersion": "authentication.k8s.io/v1",
            "kind": "TokenRequest",
            "metadata": {"name": name, "namespace": namespace},
            "spec": {**(request.get("spec") or {}), "expirationSeconds": seconds},
            "status": {
                "token": token,
                "expirationTimestamp": expiry.strftime("%Y-%m-%dT%H:%M:%SZ"),
            },
        }

    def review(self, body: Obj) -> Obj:
        user = self._users.get(str((body.get("spec") or {}).get("token") or ""))
        status: Obj = {"authenticated": True, "user": user} if user else {"user": {}}
        return {**body, "status": status}


def _subject_matches(subject: Obj, user: str, groups: list[str]) -> bool:
    kind = subject.get("kind")
    if kind == "ServiceAccount":
        return user == f"system:serviceaccount:{subject.get('namespace')}:{subject.get('name')}"
    if kind == "User":
        return subject.get("name") == user
    return kind == "Group" and subject.get("name") in groups


def _matches(values: list[str] | None, wanted: str) -> bool:
    return any(v == "*" or v == wanted for v in values or [])


def _url_matches(urls: list[str] | None, path: str) -> bool:
    return any(u == path or (u.endswith("*") and path.startswith(u[:-1])) for u in urls or [])


def _rule_allows(rule: Obj, spec: Obj) -> bool:
    if not _matches(rule.get("verbs"), _verb(spec)):
        return False
    non_resource = spec.get("nonResourceAttributes")
    if non_resource is not None:
        return _url_matches(rule.get("nonResourceURLs"), str(non_resource.get("path") or ""))
    attrs = spec.get("resourceAttributes") or {}
    resource = str(attrs.get("resource") or "")
    if attrs.get("subresource"):
        resource += "/" + str(attrs["subresource"])
    return _matches(rule.get("apiGroups"), str(attrs.get("group") or "")) and _matches(
        rule.get("resources"), resource
    )


def _verb(spec: Obj) -> str:
    attrs = spec.get("nonResourceAttributes") or spec.get("resourceAttributes") or {}
    return str(attrs.get("verb") or "")


def access_review(body: Obj, objects: Iterator[tuple[str, str | None, Obj]]) -> Obj:
    """The SubjectAccessReview `body` answered from the stored RBAC objects, given as
    (plural, namespace, object) for roles, clusterroles and their bindings."""
    spec = body.get("spec") or {}
    user, groups = str(spec.get("user") or ""), list(spec.get("groups") or [])
    namespace = (spec.get("resourceAttributes") or {}).get("namespace")
    stored = list(objects)
    roles = {(plural, ns, o["metadata"]["name"]): o for plural, ns, o in stored}
    for plural, ns, binding in stored:
        if plural not in ("clusterrolebindings", "rolebindings"):
            continue
        if plural == "rolebindings" and ns != namespace:
            continue
        if not any(_subject_matches(s, user, groups) for s in binding.get("subjects") or []):
            continue
        ref = binding.get("roleRef") or {}
        key = (
            ("clusterroles", None, ref.get("name"))
            if ref.get("kind") == "ClusterRole"
            else ("roles", ns, ref.get("name"))
        )
        role = roles.get(key)
        if role is not None and any(_rule_allows(r, spec) for r in role.get("rules") or []):
            kind = "ClusterRoleBinding" if plural == "clusterrolebindings" else "RoleBinding"
            reason = f'RBAC: allowed by {kind} "{binding["metadata"]["name"]}"'
            return {**body, "status": {"allowed": True, "reason": reason}}
    return {**body, "status": {"allowed": False}}
