"""What the trigger builds once per worker process, and hands each component instance.

At start (in the parent, before forking) :func:`check_component` finds every configuration
mistake: a store or database label the runtime config does not define, an invalid
``allowed_outbound_hosts`` pattern. In each worker, one :class:`HostApis` holds the open stores;
``for_component`` gives a component its :class:`ComponentApis`, its grants applied.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from spinkube.runtime.hostapi.allowed_hosts import AllowedHosts, parse_allowed_hosts
from spinkube.runtime.hostapi.catalogue import StoreCatalogue
from spinkube.runtime.hostapi.errors import HostApiConfigError
from spinkube.runtime.hostapi.kv import KeyValue, KeyValueStores
from spinkube.runtime.hostapi.mqtt import OutboundMqtt
from spinkube.runtime.hostapi.mysql import OutboundMysql
from spinkube.runtime.hostapi.outbound_http import ChainDispatch, OutboundHttp, SelfDispatch
from spinkube.runtime.hostapi.outbound_redis import OutboundRedis
from spinkube.runtime.hostapi.postgres import OutboundPostgres
from spinkube.runtime.hostapi.sqlite import Databases


def check_component(
    component_id: str,
    *,
    catalogue: StoreCatalogue,
    key_value_stores: Iterable[str],
    sqlite_databases: Iterable[str],
    allowed_outbound_hosts: Iterable[str],
    variables: Mapping[str, str] | Callable[[str], str | None],
) -> AllowedHosts:
    """Check one component's grants against the catalogue; returns its parsed host policy."""
    _check_labels(component_id, "key_value_stores", key_value_stores, catalogue.key_value_stores)
    _check_labels(component_id, "sqlite_databases", sqlite_databases, catalogue.sqlite_databases)
    return parse_allowed_hosts(allowed_outbound_hosts, variables, component_id=component_id)


def _check_labels(
    component_id: str, key: str, labels: Iterable[str], defined: Mapping[str, object]
) -> None:
    table = "key_value_store" if key == "key_value_stores" else "sqlite_database"
    for label in labels:
        if label not in defined:
            raise HostApiConfigError(
                f"component {component_id!r}: {key}: {label!r} is not defined "
                f"(define [{table}.{label}] in the runtime config)"
            )


@dataclass(frozen=True, slots=True)
class ComponentApis:
    key_value: KeyValue
    sqlite: Databases
    http: OutboundHttp
    redis: OutboundRedis
    postgres: OutboundPostgres
    mysql: OutboundMysql
    mqtt: OutboundMqtt


class HostApis:
    """One worker process's host APIs: stores opened on first use and shared by all requests."""

    def __init__(
        self,
        catalogue: StoreCatalogue,
        *,
        self_dispatch: SelfDispatch | None = None,
        chain_dispatch: ChainDispatch | None = None,
    ) -> None:
        self._catalogue = catalogue
        self._stores = KeyValueStores(catalogue.key_value_stores)
        self._self_dispatch = self_dispatch
        self._chain_dispatch = chain_dispatch

    def for_component(
        self,
        component_id: str,
        *,
        key_value_stores: Iterable[str],
        sqlite_databases: Iterable[str],
        allowed_hosts: AllowedHosts,
    ) -> ComponentApis:
        return ComponentApis(
            key_value=KeyValue(self._stores, key_value_stores),
            sqlite=Databases(self._catalogue.sqlite_databases, sqlite_databases),
            http=OutboundHttp(
                allowed_hosts,
                component_id=component_id,
                self_dispatch=self._self_dispatch,
                chain_dispatch=self._chain_dispatch,
            ),
            redis=OutboundRedis(allowed_hosts, component_id=component_id),
            postgres=OutboundPostgres(allowed_hosts, component_id=component_id),
            mysql=OutboundMysql(allowed_hosts, component_id=component_id),
            mqtt=OutboundMqtt(allowed_hosts, component_id=component_id),
        )
