"""The small interface every graph server implements, and how a URI picks one.

A :class:`GraphServer` runs one parameterised Cypher statement and returns its
rows as dicts (:meth:`GraphServer.run`), runs a write (:meth:`write`), and
writes a list of rows in batches, one ``UNWIND $rows AS row …`` statement per
batch (:meth:`write_batches`).  Two implementations: Neo4j through the official
``neo4j`` driver (Bolt) and FalkorDB through its native client (Redis
protocol).  Everything that differs between them is named in
:mod:`xuncha.graph.server.dialect`; statements elsewhere use the Cypher
subset both accept.

Invariants:
- values always travel as parameters; a statement's text holds only labels
  and relationship types from the registry (:mod:`xuncha.graph.schema`);
- a password is never part of a command line: it comes from
  ``NEO4J_PASSWORD`` / ``FALKORDB_PASSWORD``, an interactive prompt, or the
  ``XUNCHA_GRAPH_URI`` environment variable;
- every driver error a user can act on becomes a :class:`ServerError` whose
  message says what to do.

URIs::

    bolt://host:7687            Neo4j, one server          (--database DB)
    neo4j://host:7687           Neo4j cluster (routing)
    neo4j+s://xxxx.databases.neo4j.io   Neo4j Aura (TLS)
    falkordb://host:6379/GRAPH  FalkorDB, graph GRAPH (default "xuncha")
    falkors://host:6379/GRAPH   FalkorDB over TLS
    redis://host:6379/GRAPH     the same, spelled as Redis does

>>> parse_uri("falkordb://127.0.0.1:6380/county").graph
'county'
>>> parse_uri("neo4j+s://abc.databases.neo4j.io").backend
'neo4j'
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Sequence
from urllib.parse import unquote, urlsplit

from ...errors import XunchaError

NEO4J_SCHEMES = ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc")
FALKOR_SCHEMES = ("falkordb", "falkor", "falkors", "falkordbs", "redis", "rediss")
DEFAULT_GRAPH = "xuncha"
PASSWORD_ENV = {"neo4j": "NEO4J_PASSWORD", "falkordb": "FALKORDB_PASSWORD"}
USER_ENV = {"neo4j": "NEO4J_USER", "falkordb": "FALKORDB_USER"}


class ServerError(XunchaError):
    """A graph server refused, is unreachable, or holds something unexpected."""


class AuthFailed(ServerError):
    """Wrong user name or password."""


class Unreachable(ServerError):
    """No server answers at the address, or the connection was lost."""


class UnknownDatabase(ServerError):
    """The database / graph named does not exist on the server."""


class GraphVersionError(ServerError):
    """The graph on the server was pushed by another (older) xuncha format."""


@dataclass(frozen=True)
class ServerURI:
    """A parsed server address (never holds a password from the command line)."""

    backend: str  # "neo4j" or "falkordb"
    scheme: str
    host: str
    port: int
    graph: str | None  # FalkorDB graph key / Neo4j database (None: server default)
    user: str | None = None
    password: str | None = None
    tls: bool = False
    query: str = ""

    def display(self) -> str:
        where = f"{self.scheme}://{self.host}:{self.port}"
        return f"{where}/{self.graph}" if self.graph else where

    @property
    def password_env(self) -> str:
        return PASSWORD_ENV[self.backend]


def parse_uri(uri: str, database: str | None = None, user: str | None = None) -> ServerURI:
    """Parse ``uri``; ``database`` (``--database``) overrides a graph in the path."""
    if not uri or "://" not in uri:
        raise ServerError(
            f"not a graph server URI (服务器地址无效): {uri!r}; expected e.g. "
            "bolt://localhost:7687, neo4j+s://xxxx.databases.neo4j.io or "
            "falkordb://localhost:6379/xuncha")
    parts = urlsplit(uri)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        raise ServerError(f"bad port in server URI (端口无效): {uri!r}") from None
    host = parts.hostname or "localhost"
    uri_user = unquote(parts.username) if parts.username else None
    uri_password = unquote(parts.password) if parts.password else None
    path = parts.path.strip("/")
    if scheme in NEO4J_SCHEMES:
        return ServerURI("neo4j", scheme, host, port or 7687, database or (path or None),
                         user or uri_user, uri_password, tls="+s" in scheme, query=parts.query)
    if scheme in FALKOR_SCHEMES:
        graph = database or (path if path and not path.isdigit() else None) or DEFAULT_GRAPH
        return ServerURI("falkordb", scheme, host, port or 6379, graph, user or uri_user,
                         uri_password, tls=scheme in ("falkors", "falkordbs", "rediss"),
                         query=parts.query)
    known = ", ".join(s + "://" for s in NEO4J_SCHEMES + FALKOR_SCHEMES)
    raise ServerError(f"unknown URI scheme {scheme!r} (不支持的协议); use one of {known}")


class GraphServer(ABC):
    """A connection to one graph (a Neo4j database or a FalkorDB graph key)."""

    uri: ServerURI

    @property
    @abstractmethod
    def dialect(self):
        """The :class:`~xuncha.graph.server.dialect.Dialect` of this server."""

    @abstractmethod
    def run(self, statement: str, params: dict[str, Any] | None = None) -> list[dict]:
        """Run a read statement; rows as dicts keyed by the RETURN aliases."""

    @abstractmethod
    def write(self, statement: str, params: dict[str, Any] | None = None) -> list[dict]:
        """Run one write statement in its own transaction; rows returned, if any."""

    @abstractmethod
    def command(self, *args: Any) -> Any:
        """A backend-specific administrative command (see the dialect)."""

    def write_batches(self, statement: str, rows: Sequence[dict], batch_size: int = 5000,
                      progress: Callable[[int], None] | None = None) -> int:
        """Run ``statement`` (which reads ``$rows``) once per batch of ``rows``.

        Each batch is one transaction, so an interruption leaves whole batches;
        the statements are MERGEs, so re-running completes without duplicates.
        """
        done = 0
        for i in range(0, len(rows), batch_size):
            batch = rows[i:i + batch_size]
            self.write(statement, {"rows": list(batch)})
            done += len(batch)
            if progress:
                progress(len(batch))
        return done

    def close(self) -> None:  # pragma: no cover - trivial
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.uri.display()}>"


def password_from_env(uri: ServerURI) -> str | None:
    return os.environ.get(uri.password_env) or None


def connect(uri: str | ServerURI, database: str | None = None, user: str | None = None,
            password: str | None = None,
            ask_password: Callable[[str], str] | None = None) -> GraphServer:
    """Open a :class:`GraphServer` for ``uri`` and check that it answers.

    The password is ``password``, else the one in the URI, else
    ``$NEO4J_PASSWORD`` / ``$FALKORDB_PASSWORD``, else ``ask_password(prompt)``
    when given (Neo4j always needs one; FalkorDB only when the server asks).
    """
    u = uri if isinstance(uri, ServerURI) else parse_uri(uri, database, user)
    if database and isinstance(uri, ServerURI):
        u = ServerURI(**{**u.__dict__, "graph": database})
    pw = password or u.password or password_from_env(u)
    user = u.user or os.environ.get(USER_ENV[u.backend]) or None
    if u.backend == "neo4j":
        from .neo4j_backend import Neo4jServer

        user = user or "neo4j"
        if pw is None and ask_password is not None:
            pw = ask_password(f"Neo4j password for {user} at {u.display()} (密码)")
        return Neo4jServer(u, user, pw)
    from .falkordb_backend import FalkorServer

    try:
        return FalkorServer(u, user, pw)
    except AuthFailed:
        if pw is None and ask_password is not None:
            pw = ask_password(f"FalkorDB password at {u.display()} (密码)")
            return FalkorServer(u, user, pw)
        raise


def batched(items: Iterable, size: int) -> Iterable[list]:
    batch: list = []
    for x in items:
        batch.append(x)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
