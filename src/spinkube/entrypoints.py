"""The console scripts, guarded: each part's dependencies are an extra (``spinkube[runtime]``,
``[operator]``, ``[plugin]``), so a script whose extra is not installed says which one to install,
in one line, instead of ending in ``ModuleNotFoundError``.

The parts are imported by name, on call: this module depends on none of them.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from typing import NoReturn

MISSING_EXTRA = 1


def spinkube_runtime() -> NoReturn:
    _run("spinkube-runtime", "spinkube.runtime.__main__", "runtime")


def spin_operator() -> NoReturn:
    _run("spin-operator", "spinkube.operator.__main__", "operator")


def spin_kube() -> NoReturn:
    _run("spin-kube", "spinkube.plugin.__main__", "plugin")


def _run(script: str, module: str, extra: str) -> NoReturn:
    main = _load(script, module, extra)
    sys.exit(main())


def _load(script: str, module: str, extra: str) -> Callable[[], int | None]:
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
    main: Callable[[], int | None] = loaded.main
    return main
