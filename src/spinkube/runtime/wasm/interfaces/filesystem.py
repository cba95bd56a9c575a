"""wasi:filesystem (0.2.x): read-only preopens of the component's ``files`` mounts.

Reads, stats and directory listings work; anything that would write answers ``read-only``;
paths may not leave their mount (``..`` and symlinks are resolved first).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from spinkube.runtime.wasm import resources, vals
from spinkube.runtime.wasm.interfaces._common import err_enum, ok
from spinkube.runtime.wasm.interfaces.fs_objects import (
    Descriptor,
    DirectoryEntries,
    FsError,
    descriptor_type,
    preopen,
)
from spinkube.runtime.wasm.interfaces.io import INPUT_STREAM
from spinkube.runtime.wasm.interfaces.objects import InputStream
from spinkube.runtime.wasm.resources import own_image
from spinkube.runtime.wasm.session import HostFn, Session

IFACE = "wasi:filesystem/types"
DESCRIPTOR = resources.type_id(IFACE, "descriptor")
DIRECTORY_ENTRY_STREAM = resources.type_id(IFACE, "directory-entry-stream")
WRITE_FLAGS = frozenset({"write", "mutate-directory"})
CREATE_FLAGS = frozenset({"create", "truncate"})
arg = vals.arg

STAT_FIELDS = [
    "type",
    "link-count",
    "size",
    "data-access-timestamp",
    "data-modification-timestamp",
    "status-change-timestamp",
]


def write_stat(addr: int, d: Descriptor) -> None:
    info = d.path.stat()
    slots = vals.write_record(addr, STAT_FIELDS)
    vals.write_enum(slots[0], descriptor_type(d.path))
    vals.write_u64(slots[1], vals.U64, info.st_nlink)
    vals.write_u64(slots[2], vals.U64, info.st_size)
    for slot in slots[3:]:
        vals.write_option(slot, None)


def write_metadata_hash(addr: int, d: Descriptor) -> None:
    info = d.path.stat()
    lower, upper = vals.write_record(addr, ["lower", "upper"])
    vals.write_u64(lower, vals.U64, info.st_ino & (2**64 - 1))
    vals.write_u64(upper, vals.U64, (info.st_mtime_ns ^ info.st_size) & (2**64 - 1))


Body = Callable[[int, int, int, Descriptor], None]


def types(session: Session) -> Mapping[str, HostFn]:
    def fallible(body: Body) -> HostFn:
        """Runs ``body`` on the descriptor argument; an :class:`FsError` becomes ``err(code)``."""

        def run(ctx: int, args: int, results: int) -> None:
            d: Descriptor = session.current.table.get(resources.rep_of(ctx, args))
            try:
                body(ctx, args, results, d)
            except FsError as exc:
                err_enum(results, str(exc))
            except OSError:
                err_enum(results, "io")

        return run

    def read_only(ctx: int, args: int, results: int, d: Descriptor) -> None:
        raise FsError("read-only")

    def nothing_to_do(ctx: int, args: int, results: int, d: Descriptor) -> None:
        ok(results)

    def readlink_at(ctx: int, args: int, results: int, d: Descriptor) -> None:
        d.resolve(vals.read_str(arg(args, 1)))
        raise FsError("invalid")

    def read_via_stream(ctx: int, args: int, results: int, d: Descriptor) -> None:
        if d.path.is_dir():
            raise FsError("is-directory")
        data = d.path.read_bytes()[vals.read_u64(arg(args, 1)) :]
        rep = session.current.table.add(InputStream(data))
        ok(results, own_image(ctx, rep, INPUT_STREAM))

    def read(ctx: int, args: int, results: int, d: Descriptor) -> None:
        if d.path.is_dir():
            raise FsError("is-directory")
        length, offset = vals.read_u64(arg(args, 1)), vals.read_u64(arg(args, 2))
        with d.path.open("rb") as f:
            f.seek(offset)
            data = f.read(length)
        buf = vals.image(vals.write_tuple, 2)
        pair = vals.read_ptr_of_image(buf)
        vals.write_u8_list(pair, data)
        vals.write_bool(pair + vals.VAL_SIZE, len(data) < length)
        ok(results, buf)

    def get_type(ctx: int, args: int, results: int, d: Descriptor) -> None:
        ok(results, vals.image(vals.write_enum, descriptor_type(d.path)))

    def get_flags(ctx: int, args: int, results: int, d: Descriptor) -> None:
        ok(results, vals.image(vals.write_flags, ["read"]))

    def stat(ctx: int, args: int, results: int, d: Descriptor) -> None:
        ok(results, vals.image(write_stat, d))

    def stat_at(ctx: int, args: int, results: int, d: Descriptor) -> None:
        ok(results, vals.image(write_stat, d.at(vals.read_str(arg(args, 2)))))

    def open_at(ctx: int, args: int, results: int, d: Descriptor) -> None:
        opened = d.at(vals.read_str(arg(args, 2)))
        open_flags = vals.read_flags(arg(args, 3))
        if open_flags & CREATE_FLAGS or vals.read_flags(arg(args, 4)) & WRITE_FLAGS:
            raise FsError("read-only")
        if "directory" in open_flags and not opened.path.is_dir():
            raise FsError("not-directory")
        ok(results, own_image(ctx, session.current.table.add(opened), DESCRIPTOR))

    def read_directory(ctx: int, args: int, results: int, d: Descriptor) -> None:
        if not d.path.is_dir():
            raise FsError("not-directory")
        entries = [(p.name, descriptor_type(p)) for p in sorted(d.path.iterdir())]
        rep = session.current.table.add(DirectoryEntries(entries))
        ok(results, own_image(ctx, rep, DIRECTORY_ENTRY_STREAM))

    def metadata_hash(ctx: int, args: int, results: int, d: Descriptor) -> None:
        ok(results, vals.image(write_metadata_hash, d))

    def metadata_hash_at(ctx: int, args: int, results: int, d: Descriptor) -> None:
        ok(results, vals.image(write_metadata_hash, d.at(vals.read_str(arg(args, 2)))))

    def read_directory_entry(ctx: int, args: int, results: int) -> None:
        listing: DirectoryEntries = session.current.table.get(resources.rep_of(ctx, args))
        if listing.pos >= len(listing.entries):
            ok(results, vals.image(vals.write_option, None))
            return
        name, kind = listing.entries[listing.pos]
        listing.pos += 1
        ok(results, vals.image(vals.write_option, vals.image(write_entry, name, kind)))

    def is_same_object(ctx: int, args: int, results: int) -> None:
        table = session.current.table
        one: Descriptor = table.get(resources.rep_of(ctx, args))
        other: Descriptor = table.get(resources.rep_of(ctx, arg(args, 1)))
        vals.write_bool(results, one.path == other.path)

    def error_code(ctx: int, args: int, results: int) -> None:
        resources.rep_of(ctx, args)
        vals.write_option(results, None)

    functions: dict[str, HostFn] = {
        f"[method]descriptor.{name}": fallible(body)
        for name, body in {
            "read-via-stream": read_via_stream,
            "read": read,
            "get-type": get_type,
            "get-flags": get_flags,
            "stat": stat,
            "stat-at": stat_at,
            "open-at": open_at,
            "read-directory": read_directory,
            "metadata-hash": metadata_hash,
            "metadata-hash-at": metadata_hash_at,
            "advise": nothing_to_do,
            "sync": nothing_to_do,
            "sync-data": nothing_to_do,
            "readlink-at": readlink_at,
            "write-via-stream": read_only,
            "append-via-stream": read_only,
            "write": read_only,
            "set-size": read_only,
            "set-times": read_only,
            "set-times-at": read_only,
            "create-directory-at": read_only,
            "remove-directory-at": read_only,
            "unlink-file-at": read_only,
            "rename-at": read_only,
            "symlink-at": read_only,
            "link-at": read_only,
        }.items()
    }
    functions["[method]directory-entry-stream.read-directory-entry"] = read_directory_entry
    functions["filesystem-error-code"] = error_code
    functions["[method]descriptor.is-same-object"] = is_same_object
    return functions


def write_entry(addr: int, name: str, kind: str) -> None:
    type_slot, name_slot = vals.write_record(addr, ["type", "name"])
    vals.write_enum(type_slot, kind)
    vals.write_str(name_slot, name)


def preopens(session: Session) -> Mapping[str, HostFn]:
    def get_directories(ctx: int, args: int, results: int) -> None:
        mounts = list(session.context.files.items())
        first = vals.write_list(results, len(mounts))
        for i, (guest_dir, host_dir) in enumerate(mounts):
            pair = vals.write_tuple(first + vals.VAL_SIZE * i, 2)
            rep = session.current.table.add(preopen(host_dir))
            resources.write_own(ctx, pair, rep, DESCRIPTOR)
            vals.write_str(pair + vals.VAL_SIZE, guest_dir)

    return {"get-directories": get_directories}
