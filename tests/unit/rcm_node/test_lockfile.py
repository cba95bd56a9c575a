"""The lock file in upstream's format."""

from __future__ import annotations

import pytest

from spinkube.rcm.node import lockfile
from spinkube.rcm.node.errors import LockError
from spinkube.rcm.node.lockfile import ShimRecord

GO_WRITTEN = """{
 "shims": {
  "spin": {
   "sha256": "bb",
   "path": "/opt/kwasm/bin/containerd-shim-spin"
  },
  "spin-v2": {
   "sha256": "aa",
   "path": "/opt/kwasm/bin/containerd-shim-spin-v2"
  }
 }
}"""


def test_the_lock_file_is_written_as_go_marshals_it() -> None:
    shims = {
        "spin-v2": ShimRecord("aa", "/opt/kwasm/bin/containerd-shim-spin-v2"),
        "spin": ShimRecord("bb", "/opt/kwasm/bin/containerd-shim-spin"),
    }

    assert lockfile.render(shims) == GO_WRITTEN
    assert lockfile.parse(GO_WRITTEN) == shims
    assert lockfile.render({}) == '{\n "shims": {}\n}'


@pytest.mark.parametrize("text", ["{", '{"shims": {"x": {"path": "/p"}}}', '{"shims": []}', "[]"])
def test_a_damaged_lock_file_is_reported(text: str) -> None:
    with pytest.raises(LockError, match=r"^kwasm-lock.json: not a lock file"):
        lockfile.parse(text)
