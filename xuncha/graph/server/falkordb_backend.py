"""FalkorDB through its native Python client (``falkordb``, Redis protocol).

Never through FalkorDB's Bolt port: it is experimental and fails on
parameters over 4 KB and on temporal results.  One graph key per
:class:`FalkorServer` (``falkordb://host:port/GRAPH``); each query is atomic
on the server, so one ``UNWIND`` batch is one transaction.
"""

from __future__ import annotations

from typing import Any

from .base import AuthFailed, GraphServer, ServerError, ServerURI, Unreachable
from .dialect import FALKORDB


def _translate(exc: Exception, uri: ServerURI) -> Exception:
    """A driver exception -> a ServerError a user can act on (or ``exc``)."""
    import redis.exceptions as rx

    msg = str(exc).rstrip(".")
    low = msg.lower()
    if isinstance(exc, rx.AuthenticationError) or "wrongpass" in low or "noauth" in low \
            or "invalid username-password" in low or "authentication required" in low:
        return AuthFailed(
            f"FalkorDB at {uri.display()} refused the credentials (认证失败): {msg}. "
            f"Set the password in $FALKORDB_PASSWORD (and the user with --user).")
    if isinstance(exc, (rx.ConnectionError, rx.TimeoutError, ConnectionError, OSError)):
        return Unreachable(
            f"cannot reach FalkorDB at {uri.host}:{uri.port} (无法连接服务器): {msg}. "
            "Is the server running, and is the address right?")
    if "unknown command" in low and "graph." in low:
        return ServerError(
            f"{uri.host}:{uri.port} is a Redis server without the FalkorDB module "
            f"(未加载 FalkorDB 模块): {msg}")
    return exc


class FalkorServer(GraphServer):
    def __init__(self, uri: ServerURI, user: str | None = None, password: str | None = None,
                 timeout: float = 60.0):
        from falkordb import FalkorDB

        self.uri = uri
        try:
            self.db = FalkorDB(host=uri.host, port=uri.port, username=user, password=password,
                               ssl=uri.tls, socket_connect_timeout=5, socket_timeout=timeout)
            self.db.connection.ping()
        except Exception as exc:  # noqa: BLE001
            raise _translate(exc, uri) from None
        self.graph = self.db.select_graph(uri.graph)

    @property
    def dialect(self):
        return FALKORDB

    def _query(self, statement: str, params: dict | None, read_only: bool) -> list[dict]:
        try:
            if read_only:
                res = self.graph.ro_query(statement, params)
            else:
                res = self.graph.query(statement, params)
        except Exception as exc:  # noqa: BLE001
            if read_only and "empty key" in str(exc).lower():
                return []  # the graph does not exist (yet): nothing to read
            err = _translate(exc, self.uri)
            if err is exc:
                raise ServerError(f"FalkorDB error (服务器错误): {exc}") from None
            raise err from None
        names = [h[1] for h in res.header]
        return [dict(zip(names, row)) for row in res.result_set]

    def run(self, statement: str, params: dict[str, Any] | None = None) -> list[dict]:
        return self._query(statement, params, read_only=True)

    def write(self, statement: str, params: dict[str, Any] | None = None) -> list[dict]:
        return self._query(statement, params, read_only=False)

    def command(self, *args: Any) -> Any:
        try:
            return self.db.connection.execute_command(*args)
        except Exception as exc:  # noqa: BLE001
            raise _translate(exc, self.uri) from None

    def graphs(self) -> list[str]:
        return list(self.command("GRAPH.LIST") or [])

    def close(self) -> None:
        try:
            self.db.connection.close()
        except Exception:  # noqa: BLE001 - closing a dead connection
            pass
