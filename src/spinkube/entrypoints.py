"""The console scripts, guarded: each part's dependencies are an extra (``spinkube[runtime]``,
``[operator]``, ``[plugin]``, ``[rcm]``, ``[rcm-node]``, ``[shim]``), so a script whose extra is
not installed says which one to install, in one line, instead of ending in ``ModuleNotFoundError``.

The parts are imported by name, on call: this module depends on none of them. ``SCRIPTS`` is also
what ``scripts/build-shim.py`` bundles: a self-contained executable starts the part's own
``main`` directly, since everything it needs is inside.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from typing import NoReturn

MISSING_EXTRA = 1

SCRIPTS: dict[str, tuple[str, str]] = {
    "spinkube-runtime": ("spinkube.runtime.__main__:main", "runtime"),
    "spin-operator": ("spinkube.operator.__main__:main", "operator"),
    "spin-kube": ("spinkube.plugin.__main__:main", "plugin"),
    "runtime-class-manager": ("spinkube.rcm.controller.__main__:main", "rcm"),
    "kwasm-node-installer": ("spinkube.rcm.node.installer_cli:main", "rcm-node"),
    "shim-downloader": ("spinkube.rcm.node.downloader_cli:main", "rcm-node"),
    "containerd-shim-spin-v2": ("spinkube.shim.__main__:main", "shim"),
}
"""Console script -> (the part's ``module:function``, the extra it needs)."""


def spinkube_runtime() -> NoReturn:
    _run("spinkube-runtime")


def spin_operator() -> NoReturn:
    _run("spin-operator")


def spin_kube() -> NoReturn:
    _run("spin-kube")


def runtime_class_manager() -> NoReturn:
    _run("runtime-class-manager")


def kwasm_node_installer() -> NoReturn:
    _run("kwasm-node-installer")


def shim_downloader() -> NoReturn:
    _run("shim-downloader")


def containerd_shim_spin_v2() -> NoReturn:
    _run("containerd-shim-spin-v2")


def _run(script: str) -> NoReturn:
    main = _load(script)
    sys.exit(main())


def _load(script: str) -> Callable[[], int | None]:
    target, extra = SCRIPTS[script]
    module, _, function = target.partition(":")
    try:
        loaded = importlib.import_module(module)
    except ModuleNotFoundError as exc:
        missing = (exc.name or "").partition(".")[0]
        if not missing or missing == "spinkube":
            raise  # a broken installation of this package, not a missing extra
        print(
            f"{script}: the {missing!r} module is missing; "
            f"install the {extra} extra: pip install 'spinkube[{extra}]'",
            file=sys.stderr,
        )
        sys.exit(MISSING_EXTRA)
    main: Callable[[], int | None] = getattr(loaded, function)
    return main
