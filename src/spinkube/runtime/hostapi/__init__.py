"""Spin's host APIs behind the Wasm interfaces: key-value, SQLite, outbound HTTP and Redis.

Plain Python objects with the semantics of Spin's WIT interfaces; the modules in
``spinkube.runtime.wasm.interfaces`` lower their results and errors. No Wasm engine here.

Start-up (in the parent)::

    catalogue = catalogue_from_runtime_config(plan.runtime_config, state_dir=, config_file=,
                                              work_dir=)  # or catalogue_from_toml, build_catalogue
    allowed = check_component(id, catalogue=, key_value_stores=, sqlite_databases=,
                              allowed_outbound_hosts=, variables=)            # -> AllowedHosts
    # both raise HostApiConfigError (a StartupError) naming the key, component and pattern

Per worker process and component::

    apis = HostApis(catalogue, self_dispatch=, chain_dispatch=).for_component(
        id, key_value_stores=, sqlite_databases=, allowed_hosts=allowed)
    apis.key_value.open(label) -> KeyValueStore   # get/set/delete/exists/get_keys, increment,
                                                  # get_many/set_many/delete_many
    apis.sqlite.open(label) -> Connection         # execute(sql, params) -> QueryResult,
                                                  # last_insert_rowid(), changes(), close()
    apis.http.send(OutboundRequest, timeouts=Timeouts()) -> OutboundResponse
    apis.redis.open(address) -> RedisConnection   # publish/get/set/incr/delete/sadd/smembers/
                                                  # srem/execute
    apis.postgres.open(address) -> PostgresConnection  # query/execute: v4's values (postgres_*)
    apis.mysql.open(address) -> MysqlConnection   # query/execute: v2's values (rdbms)
    unsupported(interface) -> UnsupportedApiError # LLM

Errors (``exc.case`` is the WIT variant case, ``exc.detail`` its string): KeyValueError,
SqliteError, RedisError, RdbmsError (``rdbms``), OutboundHttpError (``wasi:http`` error-code
names) and their leaves.
"""

from spinkube.runtime.hostapi.allowed_hosts import (
    AllowedHosts,
    HostPattern,
    PatternError,
    parse_allowed_hosts,
    parse_pattern,
)
from spinkube.runtime.hostapi.apis import ComponentApis, HostApis, check_component
from spinkube.runtime.hostapi.catalogue import (
    LibsqlDatabase,
    LocalDatabase,
    RedisStore,
    SqliteFileStore,
    StoreCatalogue,
    build_catalogue,
    catalogue_from_runtime_config,
    catalogue_from_toml,
)
from spinkube.runtime.hostapi.errors import (
    DatabaseFullError,
    HostApiConfigError,
    HostApiError,
    InvalidAddressError,
    InvalidConnectionError,
    KeyValueAccessDeniedError,
    KeyValueError,
    KeyValueOtherError,
    NoSuchDatabaseError,
    NoSuchStoreError,
    RedisError,
    RedisOtherError,
    RedisTypeError,
    SqliteAccessDeniedError,
    SqliteError,
    SqliteIoError,
    StoreTableFullError,
    TooManyConnectionsError,
    UnsupportedApiError,
)
from spinkube.runtime.hostapi.http_errors import (
    DnsError,
    HttpRequestDeniedError,
    OutboundHttpError,
)
from spinkube.runtime.hostapi.kv import KeyValue, KeyValueStore, KeyValueStores
from spinkube.runtime.hostapi.outbound_http import (
    OutboundHttp,
    OutboundRequest,
    OutboundResponse,
    Timeouts,
)
from spinkube.runtime.hostapi.outbound_redis import OutboundRedis, RedisConnection
from spinkube.runtime.hostapi.redis_values import Status
from spinkube.runtime.hostapi.sqlite import Connection, Databases, QueryResult, SqlValue
from spinkube.runtime.hostapi.unsupported import unsupported

__all__ = [
    "AllowedHosts",
    "ComponentApis",
    "Connection",
    "DatabaseFullError",
    "Databases",
    "DnsError",
    "HostApiConfigError",
    "HostApiError",
    "HostApis",
    "HostPattern",
    "HttpRequestDeniedError",
    "InvalidAddressError",
    "InvalidConnectionError",
    "KeyValue",
    "KeyValueAccessDeniedError",
    "KeyValueError",
    "KeyValueOtherError",
    "KeyValueStore",
    "KeyValueStores",
    "LibsqlDatabase",
    "LocalDatabase",
    "NoSuchDatabaseError",
    "NoSuchStoreError",
    "OutboundHttp",
    "OutboundHttpError",
    "OutboundRedis",
    "OutboundRequest",
    "OutboundResponse",
    "PatternError",
    "QueryResult",
    "RedisConnection",
    "RedisError",
    "RedisOtherError",
    "RedisStore",
    "RedisTypeError",
    "SqlValue",
    "SqliteAccessDeniedError",
    "SqliteError",
    "SqliteFileStore",
    "SqliteIoError",
    "Status",
    "StoreCatalogue",
    "StoreTableFullError",
    "Timeouts",
    "TooManyConnectionsError",
    "UnsupportedApiError",
    "build_catalogue",
    "catalogue_from_runtime_config",
    "catalogue_from_toml",
    "check_component",
    "parse_allowed_hosts",
    "parse_pattern",
    "unsupported",
]
