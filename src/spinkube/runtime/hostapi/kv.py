"""Key-value: ``fermyon:spin/key-value@2.0.0`` and ``wasi:keyvalue/{store,atomics,batch}``.

:class:`KeyValue` is one component's view: ``open(label)`` checks the grant
(``key_value_stores`` in the manifest) and the catalogue, and returns the store. Backends are
opened once per process and label and shared by every request; they are safe to use from
several worker processes at once.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Protocol

from spinkube.runtime.hostapi.catalogue import KeyValueSpec, RedisStore, SqliteFileStore
from spinkube.runtime.hostapi.errors import KeyValueAccessDeniedError, NoSuchStoreError


class KeyValueStore(Protocol):
    """One open store. Every method raises :class:`~.errors.KeyValueError` on failure."""

    def get(self, key: str) -> bytes | None: ...

    def set(self, key: str, value: bytes) -> None: ...

    def delete(self, key: str) -> None: ...

    def exists(self, key: str) -> bool: ...

    def get_keys(self) -> list[str]: ...

    def increment(self, key: str, delta: int) -> int:
        """Add ``delta`` to the decimal integer stored at ``key`` (0 when absent)."""
        ...

    def compare_and_swap(self, key: str, expected: bytes | None, value: bytes) -> bool:
        """Set ``value`` if ``key`` still holds ``expected`` (None: absent); False if not."""
        ...

    def get_many(self, keys: Sequence[str]) -> list[tuple[str, bytes | None]]: ...

    def set_many(self, items: Sequence[tuple[str, bytes]]) -> None: ...

    def delete_many(self, keys: Sequence[str]) -> None: ...


StoreOpener = Callable[[str, KeyValueSpec], KeyValueStore]


def open_backend(label: str, spec: KeyValueSpec) -> KeyValueStore:
    """The real backend for a catalogue entry (imported lazily: Redis only when used)."""
    if isinstance(spec, SqliteFileStore):
        from spinkube.runtime.hostapi.kv_sqlite import SqliteKeyValueStore

        return SqliteKeyValueStore(spec.path, label)
    if isinstance(spec, RedisStore):
        from spinkube.runtime.hostapi.kv_redis import RedisKeyValueStore

        return RedisKeyValueStore(spec.url)
    raise TypeError(f"unknown key-value spec {type(spec).__name__}")


class KeyValueStores:
    """The process's open backends, one per label, reopened after a fork."""

    def __init__(
        self, catalogue: Mapping[str, KeyValueSpec], *, opener: StoreOpener = open_backend
    ) -> None:
        self._catalogue = catalogue
        self._opener = opener
        self._open: dict[str, KeyValueStore] = {}
        self._pid = os.getpid()

    def __contains__(self, label: object) -> bool:
        return label in self._catalogue

    def get(self, label: str) -> KeyValueStore:
        if self._pid != os.getpid():
            self._open, self._pid = {}, os.getpid()
        store = self._open.get(label)
        if store is None:
            spec = self._catalogue.get(label)
            if spec is None:
                raise NoSuchStoreError(f"no key-value store {label!r} is configured")
            store = self._open[label] = self._opener(label, spec)
        return store

    def labels(self) -> Iterable[str]:
        return self._catalogue.keys()


class KeyValue:
    """One component's key-value access: its grants over the shared stores."""

    def __init__(self, stores: KeyValueStores, granted: Iterable[str]) -> None:
        self._stores = stores
        self._granted = frozenset(granted)

    def open(self, label: str) -> KeyValueStore:
        """Spin's order: a label not granted is ``access-denied`` whether or not it exists."""
        if label not in self._granted:
            raise KeyValueAccessDeniedError(f"the component may not use key-value store {label!r}")
        return self._stores.get(label)
