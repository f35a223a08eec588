"""Neo4j through the official ``neo4j`` driver (Bolt).

``bolt://`` for one server, ``neo4j://`` for a cluster (the driver routes
reads and writes), ``neo4j+s://`` for Aura.  Reads use
``Driver.execute_query`` with READ routing; each write is one managed
transaction (``Session.execute_write``, retried by the driver on transient
errors), so one ``UNWIND`` batch is one transaction.
"""

from __future__ import annotations

from typing import Any

from .base import AuthFailed, GraphServer, ServerError, ServerURI, Unreachable, UnknownDatabase
from .dialect import NEO4J


def _translate(exc: Exception, uri: ServerURI, user: str | None) -> Exception:
    from neo4j import exceptions as nx

    code = getattr(exc, "code", None) or ""
    msg = (getattr(exc, "message", None) or str(exc)).rstrip(".")
    if isinstance(exc, nx.AuthError) or "Security.Unauthorized" in code:
        return AuthFailed(
            f"Neo4j at {uri.display()} refused user {user!r} (认证失败): {msg}. "
            "Check --user and the password in $NEO4J_PASSWORD.")
    if "DatabaseNotFound" in code or "database does not exist" in msg.lower():
        return UnknownDatabase(
            f"no database {uri.graph!r} on Neo4j at {uri.display()} (数据库不存在): {msg}. "
            "Create it (CREATE DATABASE, Enterprise/Aura) or drop --database to use the default.")
    if isinstance(exc, (nx.ServiceUnavailable, nx.SessionExpired, OSError)):
        return Unreachable(
            f"cannot reach Neo4j at {uri.host}:{uri.port} (无法连接服务器): {msg}. "
            "Is the server running, and is the URI scheme right (bolt:// for one server, "
            "neo4j:// for a cluster, neo4j+s:// for Aura)?")
    if isinstance(exc, nx.Neo4jError):
        return ServerError(f"Neo4j error {code} (服务器错误): {msg}")
    return exc


class Neo4jServer(GraphServer):
    def __init__(self, uri: ServerURI, user: str | None, password: str | None):
        from neo4j import GraphDatabase

        self.uri = uri
        self.user = user
        address = f"{uri.scheme}://{uri.host}:{uri.port}" + (f"?{uri.query}" if uri.query else "")
        auth = (user or "neo4j", password) if password is not None else None
        try:
            self.driver = GraphDatabase.driver(address, auth=auth)
            self.driver.verify_connectivity()
            # Fails early on an unknown database (and checks the credentials).
            self.driver.execute_query("RETURN 1", database_=uri.graph)
        except Exception as exc:  # noqa: BLE001
            raise _translate(exc, uri, user) from None

    @property
    def dialect(self):
        return NEO4J

    def run(self, statement: str, params: dict[str, Any] | None = None) -> list[dict]:
        from neo4j import RoutingControl

        try:
            records, _, _ = self.driver.execute_query(
                statement, params or {}, routing_=RoutingControl.READ, database_=self.uri.graph)
        except Exception as exc:  # noqa: BLE001
            raise _translate(exc, self.uri, self.user) from None
        return [r.data() for r in records]

    def write(self, statement: str, params: dict[str, Any] | None = None) -> list[dict]:
        def work(tx):
            return [r.data() for r in tx.run(statement, params or {})]

        try:
            with self.driver.session(database=self.uri.graph) as session:
                return session.execute_write(work)
        except Exception as exc:  # noqa: BLE001
            raise _translate(exc, self.uri, self.user) from None

    def command(self, *args: Any) -> Any:
        raise NotImplementedError("Neo4j has no administrative commands outside Cypher")

    def close(self) -> None:
        try:
            self.driver.close()
        except Exception:  # noqa: BLE001
            pass
