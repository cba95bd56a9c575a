"""The ``delete`` action: containerd runs it after a shim went away (and after every normal
shutdown). It ends what a dead shim left behind, from the bundle's state file: the runc
container or the Spin app's processes, the rootfs mount, the cgroup and the socket; harmless
when nothing is left. Prints a serialized ``DeleteResponse`` (exit 137, as killed)."""

from __future__ import annotations

import socket
import time
from pathlib import Path

from spinkube.shim import runc, spin
from spinkube.shim.args import ShimArgs
from spinkube.shim.container import read_state
from spinkube.shim.mounts import umount
from spinkube.shim.proto import shim_pb2
from spinkube.shim.reaper import Reaper
from spinkube.shim.server import runc_root
from spinkube.shim.service import timestamp
from spinkube.shim.start import ADDRESS_FILE

KILLED = 128 + 9


def delete(args: ShimArgs, *, bundle: Path) -> bytes:
    state = read_state(bundle)
    if state.get("kind") == "runc":
        runc.cleanup_dead(bundle, args.id, runc_root(args), Reaper())
    elif state.get("kind") == "spin":
        spin.cleanup_dead(bundle, state)
    else:
        umount(str(bundle / "rootfs"))
    _remove_dead_socket(bundle)
    response = shim_pb2.DeleteResponse(
        pid=int(state.get("pid") or 0), exit_status=KILLED, exited_at=timestamp(time.time())
    )
    return response.SerializeToString()


def _remove_dead_socket(bundle: Path) -> None:
    try:
        address = (bundle / ADDRESS_FILE).read_text().strip()
    except OSError:
        return
    path = Path(address.removeprefix("unix://"))
    if not path.exists():
        return
    with socket.socket(socket.AF_UNIX) as probe:
        try:
            probe.connect(str(path))
        except OSError:
            path.unlink(missing_ok=True)
