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
                return self._read(statement, params)
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

    def _read(self, statement: str, params: dict | None) -> list[dict]:
        """A read statement, its compact result turned into rows by :func:`_rows`
        (the client's own parser, which also reads nodes, edges and paths, is
        several times slower on rows of maps and lists)."""
        from falkordb.helpers import stringify_param_value
        from falkordb.query_result import QueryResult

        header = "".join(f"`{k}`={stringify_param_value(v)} " for k, v in (params or {}).items())
        response = self.graph.execute_command("GRAPH.RO_QUERY", self.graph.name,
                                              ("CYPHER " + header if header else "") + statement,
                                              "--compact")
        rows = _rows(response)
        if rows is None:  # an error, or a value only the client reads
            res = QueryResult(self.graph, response)
            names = [h[1] for h in res.header]
            rows = [dict(zip(names, row)) for row in res.result_set]
        return rows

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


class _Unread(Exception):
    """A value of a type :func:`_value` leaves to the client (node, edge, path…)."""


def _value(v):
    """One value of FalkorDB's compact result format: ``[type, value]``."""
    t, x = v
    if t == 2:  # string
        return x if type(x) is str else x.decode()
    if t == 10:  # map: key, [type, value], key, … (its strings and integers inline: the bulk)
        out = {}
        for i in range(0, len(x), 2):
            k, (vt, vx) = x[i], x[i + 1]
            if type(k) is not str:
                k = k.decode()
            out[k] = vx if (vt == 2 and type(vx) is str) or vt == 3 else _value((vt, vx))
        return out
    if t == 3:  # integer
        return int(x)
    if t == 1:
        return None
    if t == 6:  # array
        return [y[1] if y[0] == 2 and type(y[1]) is str else _value(y) for y in x]
    if t == 4:  # boolean
        return (x if type(x) is str else x.decode()) == "true"
    if t == 5:  # double
        return float(x)
    raise _Unread(t)


def _rows(response) -> list[dict] | None:
    """Rows of a compact ``GRAPH.RO_QUERY`` response, or None when the
    client's parser must read it (an error, no result set, a node/edge/path,
    a temporal or spatial value): the same values the client gives."""
    if not isinstance(response, list) or len(response) < 3 or \
            any(isinstance(part, Exception) for part in response):
        return None
    names = [h[1].decode() if isinstance(h[1], bytes) else h[1] for h in response[0]]
    try:
        return [dict(zip(names, map(_value, row))) for row in response[1]]
    except _Unread:
        return None
