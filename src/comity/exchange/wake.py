"""Waking the delivery worker when a message is committed, instead of at its next poll.

A message written to the outbox is a row in the database; the worker (`comity worker`, another
process) sends it. Rather than poll every fraction of a second, the worker sleeps until it is
woken, and polls slowly as a safety net (comity.exchange.delivery). Two channels wake it:

- **Local.** Each running worker binds a UNIX datagram socket `<data dir>/exchange/wake/
  worker-<pid>-<random>.sock`. `poke()` sends one byte to every socket there, and removes a socket
  nobody listens on any more (left by a killed worker). The web server and the worker already
  share the data directory (the attachment store), so this needs no set-up.
- **PostgreSQL.** `notify_in_transaction()` issues `NOTIFY comity_exchange` inside the
  transaction that writes the message: the server delivers it when that transaction commits,
  and drops it on a rollback. The worker LISTENs on a connection of its own. This also reaches
  workers on other hosts.

Both are hints. A lost wake-up delays a message by at most one poll interval, and nothing is
read from them except "look now".
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import select
import socket
import threading
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, connections, transaction

logger = logging.getLogger(__name__)

CHANNEL = "comity_exchange"
_SUFFIX = ".sock"
RELISTEN_SECONDS = 30.0  # after the LISTEN connection was lost, try again this often


def wake_dir() -> Path:
    return Path(settings.DATA_DIR) / "exchange" / "wake"


def poke() -> None:
    """Wake every worker listening on this data directory (never raises, never blocks)."""
    try:
        names = [name for name in os.listdir(wake_dir()) if name.endswith(_SUFFIX)]
    except OSError:
        return  # no worker has ever listened here
    if not names:
        return
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sender:
        sender.setblocking(False)
        for name in names:
            path = wake_dir() / name
            try:
                sender.sendto(b"!", str(path))
            except BlockingIOError:
                pass  # its queue is full: it has been woken already
            except (ConnectionRefusedError, FileNotFoundError):
                with contextlib.suppress(OSError):
                    path.unlink()  # nobody listens: the socket of a worker that was killed
            except OSError as exc:
                logger.debug("exchange: could not wake %s: %s", path, exc)


def notify_in_transaction() -> None:
    """Called in the transaction that writes an outbox message: wake the workers once it commits."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"NOTIFY {CHANNEL}")
    transaction.on_commit(poke)


class Listener:
    """What a worker waits on: its wake-up socket, a PostgreSQL LISTEN connection, and
    `interrupt()` from its own threads. Whatever cannot be set up is logged and left out: the
    worker then only polls."""

    def __init__(self, *, listen_database: bool = True) -> None:
        self._pipe_lock = threading.Lock()  # interrupt() from other threads never races close()
        self._read, self._write = os.pipe()
        os.set_blocking(self._read, False)
        os.set_blocking(self._write, False)
        self.path: Path | None = None
        self._socket: socket.socket | None = None
        self._database: Any = None
        self._listen = listen_database and connections["default"].vendor == "postgresql"
        self._listened_at = 0.0
        self._bind()
        if self._listen:
            self._listen_database()

    def _bind(self) -> None:
        directory = wake_dir()
        path = directory / f"worker-{os.getpid()}-{secrets.token_hex(4)}{_SUFFIX}"
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        try:
            directory.mkdir(parents=True, exist_ok=True, mode=0o700)
            sock.bind(str(path))
        except OSError as exc:
            sock.close()
            logger.warning("exchange: no wake-up socket (%s); the worker polls instead", exc)
            return
        sock.setblocking(False)
        self._socket, self.path = sock, path

    def _listen_database(self) -> None:
        import psycopg

        self._listened_at = time.monotonic()
        try:
            params = connections["default"].get_connection_params()
            self._database = psycopg.connect(**params, autocommit=True)
            self._database.execute(f"LISTEN {CHANNEL}")
        except psycopg.Error as exc:
            logger.warning("exchange: cannot LISTEN on the database (%s); the worker polls instead", exc)
            self._close_database()

    def _close_database(self) -> None:
        if self._database is not None:
            with contextlib.suppress(Exception):
                self._database.close()
        self._database = None

    def interrupt(self) -> None:
        """Wake the waiting thread (from another thread of this process)."""
        with self._pipe_lock, contextlib.suppress(BlockingIOError, OSError):
            if self._write >= 0:
                os.write(self._write, b"!")

    def wait(self, timeout: float) -> bool:
        """Sleep until woken or `timeout` seconds pass; True when woken. Drains what woke it."""
        if (
            self._listen
            and self._database is None
            and time.monotonic() > self._listened_at + RELISTEN_SECONDS
        ):
            self._listen_database()
        sources: list[Any] = [self._read]
        if self._socket is not None:
            sources.append(self._socket)
        if self._database is not None:
            sources.append(self._database.fileno())
        try:
            ready, _, _ = select.select(sources, [], [], max(timeout, 0.0))
        except (OSError, ValueError):  # the database connection broke under us
            self._close_database()
            return True
        for source in ready:
            self._drain(source)
        return bool(ready)

    def _drain(self, source: Any) -> None:
        if source is self._read:
            with contextlib.suppress(BlockingIOError, OSError):
                while os.read(self._read, 4096):
                    pass
        elif source is self._socket:
            with contextlib.suppress(BlockingIOError, OSError):
                while True:
                    self._socket.recv(64)
        elif self._database is not None:
            import psycopg

            try:
                for _notify in self._database.notifies(timeout=0):
                    pass
            except psycopg.Error as exc:  # a broken connection: poll, and LISTEN again later
                logger.warning("exchange: lost the database LISTEN connection (%s)", exc)
                self._close_database()

    def close(self) -> None:
        if self._socket is not None:
            self._socket.close()
            self._socket = None
        if self.path is not None:
            with contextlib.suppress(OSError):
                self.path.unlink()
            self.path = None
        self._close_database()
        self._listen = False
        with self._pipe_lock:
            for fd in (self._read, self._write):
                if fd >= 0:
                    with contextlib.suppress(OSError):
                        os.close(fd)
            self._read = self._write = -1

    def __enter__(self) -> Listener:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
