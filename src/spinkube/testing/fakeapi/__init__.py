"""A fake Kubernetes API for tests: kmock 0.8's scaffold plus an object store with the API
semantics our tests need.

    with FakeApiServer() as api:
        api.write_kubeconfig(tmp_path / "kubeconfig")
        ...

Standalone: `python -m spinkube.testing.fakeapi --port 8001 --kubeconfig-out kubeconfig`.

What it does like a real API server: uid, creationTimestamp, resourceVersion (one global
counter; a stale one is refused with 409 Conflict), generation as each kind tracks it (a
Deployment also on annotation changes; ConfigMaps and Services get none), status
subresources (spec ignored on /status, status ignored on the main resource), PUT, JSON merge /
strategic merge (approximate; 415 on custom resources) / JSON Patch, server-side apply with
managedFields, conflicts and force, label and field selectors on list and watch, namespaces
(objects in a missing namespace are refused with 404; deleting a namespace deletes its
contents), finalizers, owner-reference garbage collection, CRDs that register their resources
(and report Established) and whose structural schema prunes, defaults and validates custom
resources (undeclared fields in a server-side apply are refused), the Event namespace rule,
Secrets' stringData, `/version` and `/version/`.

What it does not prove: no validation, defaulting or pruning of built-in kinds, no CEL rules,
no admission webhooks, RBAC or authentication, no controllers (Deployments never get pods or
status; pods never run), lists ignore `limit`, watches cannot resume from an old
resourceVersion (they send the objects changed since then, never old deletions), no
BOOKMARKs and no 410 Gone, strategic merge knows no directives, server-side apply treats
every list as atomic, core/v1 and events.k8s.io/v1 Events are stored apart. See docs/testing.md.
"""

from spinkube.testing.fakeapi.emulator import FakeKubernetes
from spinkube.testing.fakeapi.server import FakeApiServer, kubeconfig_for, write_kubeconfig

__all__ = ["FakeApiServer", "FakeKubernetes", "kubeconfig_for", "write_kubeconfig"]
