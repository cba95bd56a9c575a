"""Raw prototypes of the wasmtime C API, on a private handle of the library wasmtime-py ships.

wasmtime-py's own bindings convert every component value through reflected types, which costs
about 120 µs per host call. The host instead declares the few functions it needs with plain
integer arguments (pointers are ``int``), so a call costs one ctypes hop and nothing else. The
handle is a second ``CDLL`` on the same ``_libwasmtime.so``: wasmtime-py's prototypes are left
untouched, and objects (engine, component) are shared by pointer.
"""

from __future__ import annotations

import ctypes
from ctypes import c_bool, c_char_p, c_int64, c_size_t, c_uint32, c_uint64, c_void_p
from typing import Any

from wasmtime import _ffi

_lib = ctypes.CDLL(str(_ffi.filename))

FUNC_CALLBACK = ctypes.CFUNCTYPE(
    c_size_t, c_void_p, c_void_p, c_void_p, c_size_t, c_size_t, c_size_t, c_size_t
)
"""(env, context, func type, args, nargs, results, nresults) -> wasmtime_error_t* or 0."""
RESOURCE_DTOR = ctypes.CFUNCTYPE(c_size_t, c_void_p, c_void_p, c_uint32)
FINALIZER = ctypes.CFUNCTYPE(None, c_void_p)
NO_FINALIZER = ctypes.cast(ctypes.c_void_p(), FINALIZER)


def _proto(name: str, restype: Any, *argtypes: Any) -> Any:
    fn = getattr(_lib, name)
    fn.restype = restype
    fn.argtypes = list(argtypes)
    return fn


P = c_void_p
linker_new = _proto("wasmtime_component_linker_new", P, P)
linker_delete = _proto("wasmtime_component_linker_delete", None, P)
linker_root = _proto("wasmtime_component_linker_root", P, P)
linker_instantiate = _proto("wasmtime_component_linker_instantiate", P, P, P, P, P)
linker_instance_add_instance = _proto(
    "wasmtime_component_linker_instance_add_instance", P, P, c_char_p, c_size_t, P
)
linker_instance_add_func = _proto(
    "wasmtime_component_linker_instance_add_func",
    P,
    P,
    c_char_p,
    c_size_t,
    FUNC_CALLBACK,
    P,
    FINALIZER,
)
linker_instance_add_resource = _proto(
    "wasmtime_component_linker_instance_add_resource",
    P,
    P,
    c_char_p,
    c_size_t,
    P,
    RESOURCE_DTOR,
    P,
    FINALIZER,
)
linker_instance_delete = _proto("wasmtime_component_linker_instance_delete", None, P)

resource_type_new_host = _proto("wasmtime_component_resource_type_new_host", P, c_uint32)
resource_type_delete = _proto("wasmtime_component_resource_type_delete", None, P)
resource_host_new = _proto("wasmtime_component_resource_host_new", P, c_bool, c_uint32, c_uint32)
resource_host_rep = _proto("wasmtime_component_resource_host_rep", c_uint32, P)
resource_host_delete = _proto("wasmtime_component_resource_host_delete", None, P)
resource_host_to_any = _proto("wasmtime_component_resource_host_to_any", P, P, P, P)
resource_any_to_host = _proto("wasmtime_component_resource_any_to_host", P, P, P, P)

vallist_new_uninit = _proto("wasmtime_component_vallist_new_uninit", None, P, c_size_t)
valtuple_new_uninit = _proto("wasmtime_component_valtuple_new_uninit", None, P, c_size_t)
valrecord_new_uninit = _proto("wasmtime_component_valrecord_new_uninit", None, P, c_size_t)
val_new = _proto("wasmtime_component_val_new", P, P)
byte_vec_new = _proto("wasm_byte_vec_new", None, P, c_size_t, P)
byte_vec_delete = _proto("wasm_byte_vec_delete", None, P)

component_get_export_index = _proto(
    "wasmtime_component_get_export_index", P, P, P, c_char_p, c_size_t
)
export_index_delete = _proto("wasmtime_component_export_index_delete", None, P)
instance_get_func = _proto("wasmtime_component_instance_get_func", c_bool, P, P, P, P)
func_call = _proto("wasmtime_component_func_call", P, P, P, P, c_size_t, P, c_size_t)
func_post_return = _proto("wasmtime_component_func_post_return", P, P, P)

store_new = _proto("wasmtime_store_new", P, P, P, FINALIZER)
store_context = _proto("wasmtime_store_context", P, P)
store_delete = _proto("wasmtime_store_delete", None, P)
store_limiter = _proto(
    "wasmtime_store_limiter", None, P, c_int64, c_int64, c_int64, c_int64, c_int64
)
context_set_epoch_deadline = _proto("wasmtime_context_set_epoch_deadline", None, P, c_uint64)
engine_increment_epoch = _proto("wasmtime_engine_increment_epoch", None, P)

error_new = _proto("wasmtime_error_new", P, c_char_p)
error_message = _proto("wasmtime_error_message", None, P, P)
error_delete = _proto("wasmtime_error_delete", None, P)

INSTANCE_SIZE = 16
"""sizeof(wasmtime_component_instance_t): u64 store id, u32 index, padding."""
FUNC_SIZE = 32
"""sizeof(wasmtime_component_func_t)."""


class WasmtimeCallError(Exception):
    """A wasmtime C call failed; the message is wasmtime's own."""


def take_error_message(err: int) -> str:
    """Reads a ``wasmtime_error_t``'s message and frees the error."""
    vec = (c_size_t * 2)()
    error_message(err, ctypes.addressof(vec))
    try:
        return ctypes.string_at(vec[1], vec[0]).decode("utf-8", "replace")
    finally:
        byte_vec_delete(ctypes.addressof(vec))
        error_delete(err)


def check(err: int | None) -> None:
    """Raises :class:`WasmtimeCallError` for a non-null ``wasmtime_error_t``."""
    if err:
        raise WasmtimeCallError(take_error_message(err))


def new_error(message: str) -> int:
    """A fresh ``wasmtime_error_t`` that a host callback returns to trap the guest."""
    return int(error_new(message.encode("utf-8", "replace")))


val_delete = _proto("wasmtime_component_val_delete", None, P)
valflags_new_uninit = _proto("wasmtime_component_valflags_new_uninit", None, P, c_size_t)


def address(obj: Any) -> int:
    """The raw address behind a wasmtime-py object (Engine, Component, Config)."""
    return int(ctypes.cast(obj.ptr(), c_void_p).value or 0)
