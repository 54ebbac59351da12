"""Several Comity nodes on this machine, each a real process tree, for end-to-end tests and bench.

A `Cluster` starts N nodes on loopback. Each node has its own data directory (its own SQLite
database and file store), its own free port, a `gunicorn comity.wsgi:application` web server, a
`comity worker` delivering its outbox, and a driver process (comity.exchange.testing_driver) that
performs service calls inside the node. The cluster initialises every node's identity and key,
then adds every other node as a peer the way operators do: the peer's key set is fetched from
its `/node/v1/keys` and checked against the fingerprint its operator read out (here: returned by
that node's own driver). Web servers and workers can be killed with SIGKILL and restarted.

Nothing here imports Django: the parent (pytest, `make bench`) only starts processes, speaks
HTTP, and reads each node's SQLite file read-only for cheap polling. Each child runs in its own
session (process group); `Cluster.close()`, a finalizer and an atexit hook kill the groups and
remove the directories. The children's environment is built from scratch for Comity: a database
URL of the parent (PostgreSQL test runs) is never inherited.
"""

from __future__ import annotations

import atexit
import base64
import contextlib
import json
import os
import secrets
import select
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, TypeVar

import httpx

T = TypeVar("T")

STATE_NAMES = {
    "FRA": "France",
    "MEX": "Mexico",
    "EGY": "Egypt",
    "BRA": "Brazil",
    "JPN": "Japan",
    "KEN": "Kenya",
}
DB_FILE = "comity.sqlite3"
START_TIMEOUT = 90.0
CALL_TIMEOUT = 300.0

_live: weakref.WeakSet[Cluster] = weakref.WeakSet()
_template: dict[str, Path] = {}


class HarnessError(RuntimeError):
    pass


def wait_for(
    probe: Callable[[], T],
    *,
    timeout: float,
    interval: float = 0.2,
    what: str = "condition",
) -> T:
    """Call `probe` until it returns something truthy; its value. TimeoutError after `timeout` s."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while True:
        last = probe()
        if last:
            return last
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} not reached within {timeout:.0f} s (last: {last!r})")
        time.sleep(interval)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def base_env() -> dict[str, str]:
    """The parent's environment without anything that configures Comity or a database."""
    drop = ("COMITY_", "DATABASE_URL", "DJANGO_", "PYTEST_", "PG")
    return {k: v for k, v in os.environ.items() if not k.startswith(drop)}


def _kill_group(proc: subprocess.Popen[Any] | None, sig: int = signal.SIGKILL) -> None:
    if proc is None:
        return
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, sig)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)


def migrated_template() -> Path:
    """A freshly migrated SQLite database, made once per parent process and copied per node."""
    if "path" in _template:
        return _template["path"]
    root = Path(tempfile.mkdtemp(prefix="comity-e2e-template-"))
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    env = {
        **base_env(),
        "DJANGO_SETTINGS_MODULE": "comity.settings",
        "COMITY_DATA_DIR": str(root),
        "COMITY_SECRET_KEY": "template-only-" + secrets.token_urlsafe(40),
        "COMITY_ATTACHMENT_KEYS": "template:" + base64.b64encode(os.urandom(32)).decode(),
    }
    done = subprocess.run(
        [sys.executable, "-m", "comity.cli", "migrate", "--noinput", "-v0"],
        env=env,
        cwd=root,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if done.returncode != 0:
        raise HarnessError(f"migrate failed:\n{done.stdout}\n{done.stderr}")
    path = root / DB_FILE
    with contextlib.closing(sqlite3.connect(path)) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    _template["path"] = path
    return path


@dataclass
class Node:
    """One node: `name` (its node id is `<name>.e2e.test`), the State it hosts, its processes."""

    name: str
    state: str
    root: Path
    port: int
    web_workers: int = 2
    web_threads: int = 2
    worker_poll: float = 2.0  # the safety net only: the worker is woken when a message is committed
    extra_env: dict[str, str] = field(default_factory=dict)
    web_app: str = "comity.wsgi:application"
    fingerprint: str = ""
    web: subprocess.Popen[Any] | None = None
    worker: subprocess.Popen[Any] | None = None
    driver: subprocess.Popen[str] | None = None
    more_workers: list[subprocess.Popen[Any]] = field(default_factory=list)
    starts: dict[str, int] = field(default_factory=dict)

    @property
    def node_id(self) -> str:
        return f"{self.name}.e2e.test"

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def db_path(self) -> Path:
        return self.root / DB_FILE

    @property
    def env(self) -> dict[str, str]:
        secret_file = self.root / "secret"
        if not secret_file.exists():
            secret_file.write_text(
                json.dumps(
                    {
                        "secret": secrets.token_urlsafe(48),
                        "attachments": base64.b64encode(os.urandom(32)).decode(),
                    }
                )
            )
        secret = json.loads(secret_file.read_text())
        return {
            **base_env(),
            "DJANGO_SETTINGS_MODULE": "comity.settings",
            "COMITY_DATA_DIR": str(self.root),
            "COMITY_SECRET_KEY": secret["secret"],
            "COMITY_ATTACHMENT_KEYS": f"e2e:{secret['attachments']}",
            "COMITY_HOSTED_STATES": self.state,
            "COMITY_HTTPS": "0",
            "COMITY_TASKS_BACKEND": "immediate",
            "COMITY_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "COMITY_LOG_LEVEL": "WARNING",
            **self.extra_env,
        }

    def _log(self, kind: str) -> IO[bytes]:
        self.starts[kind] = self.starts.get(kind, 0) + 1
        (self.root / "logs").mkdir(exist_ok=True)
        return (self.root / "logs" / f"{kind}.log").open("ab")

    def _spawn(self, kind: str, argv: list[str], **kwargs: Any) -> subprocess.Popen[Any]:
        with self._log(kind) as log:
            return subprocess.Popen(  # noqa: S603 - our own commands, fixed arguments
                argv,
                env=self.env,
                cwd=self.root,
                stdout=kwargs.pop("stdout", log),
                stderr=log,
                start_new_session=True,  # its own process group: killed as a whole
                **kwargs,
            )

    # --- processes -------------------------------------------------------------------------
    def start_web(self, *, wait: bool = True) -> None:
        if self.web is not None and self.web.poll() is None:
            raise HarnessError(f"{self.name}: the web server is already running")
        argv = [
            sys.executable,
            "-m",
            "gunicorn",
            self.web_app,
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(self.web_workers),
            "--timeout",
            "120",
            "--graceful-timeout",
            "5",
            "--log-level",
            "warning",
        ]
        if self.web_threads > 1:
            argv += ["--worker-class", "gthread", "--threads", str(self.web_threads)]
        self.web = self._spawn("web", argv)
        if wait:
            self.wait_web()

    def wait_web(self, timeout: float = START_TIMEOUT) -> None:
        def answers() -> bool:
            if self.web is None or self.web.poll() is not None:
                raise HarnessError(f"{self.name}: the web server exited\n{self.log_tail('web')}")
            try:
                return httpx.get(f"{self.base_url}/node/v1/info", timeout=2).status_code in (200, 503)
            except httpx.HTTPError:
                return False

        wait_for(answers, timeout=timeout, interval=0.1, what=f"{self.name} web server up")

    def start_worker(self) -> None:
        if self.worker is not None and self.worker.poll() is None:
            raise HarnessError(f"{self.name}: the worker is already running")
        argv = [sys.executable, "-m", "comity.cli", "worker", "--poll", str(self.worker_poll)]
        self.worker = self._spawn("worker", argv)

    def start_another_worker(self, *, poll: float) -> None:
        """A second (third...) `comity worker` on this node's database, as on several hosts."""
        argv = [sys.executable, "-m", "comity.cli", "worker", "--poll", str(poll)]
        self.more_workers.append(self._spawn(f"worker{len(self.more_workers) + 2}", argv))

    def kill_web(self) -> None:
        """SIGKILL the gunicorn master and its workers (no graceful shutdown)."""
        _kill_group(self.web)
        self.web = None

    def kill_worker(self) -> None:
        _kill_group(self.worker)
        self.worker = None

    def start_driver(self) -> None:
        self.driver = self._spawn(
            "driver",
            [sys.executable, "-m", "comity.exchange.testing_driver", "serve"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            bufsize=1,
        )

    def _read_answer(self, timeout: float) -> dict[str, Any]:
        driver = self.driver
        if driver is None or driver.stdout is None:
            raise HarnessError(f"{self.name}: no driver")
        ready, _, _ = select.select([driver.stdout], [], [], timeout)
        if not ready:
            raise HarnessError(f"{self.name}: the driver did not answer within {timeout:.0f} s")
        line = driver.stdout.readline()
        if not line:
            raise HarnessError(f"{self.name}: the driver exited\n{self.log_tail('driver')}")
        return dict(json.loads(line))

    def call(self, action: str, timeout: float = CALL_TIMEOUT, **args: Any) -> Any:
        """Run one driver action inside this node; its JSON result. Raises on a service error."""
        if self.driver is None:
            self.start_driver()
        if self.driver is None or self.driver.stdin is None:
            raise HarnessError(f"{self.name}: no driver")
        if self.starts.get("driver_ready") != self.starts.get("driver"):
            self._read_answer(START_TIMEOUT)  # the "ready" line
            self.starts["driver_ready"] = self.starts.get("driver", 0)
        self.driver.stdin.write(json.dumps({"action": action, "args": args}) + "\n")
        self.driver.stdin.flush()
        answer = self._read_answer(timeout)
        if not answer.get("ok"):
            raise HarnessError(f"{self.name}: {action} failed: {answer.get('error')}\n{answer.get('trace')}")
        return answer.get("result")

    def stop(self) -> None:
        processes = [self.web, self.worker, self.driver, *self.more_workers]
        for proc in processes:
            if proc is not None and proc.poll() is None:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(proc.pid, signal.SIGKILL)
        for proc in processes:
            if proc is not None:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    proc.wait(timeout=30)
                for stream in (proc.stdin, proc.stdout):
                    if stream is not None:
                        with contextlib.suppress(OSError):
                            stream.close()
        self.web = self.worker = self.driver = None
        self.more_workers = []

    # --- reading the node's database (read-only, for polling) --------------------------------
    def sql(self, query: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        uri = f"file:{self.db_path}?mode=ro"
        with contextlib.closing(sqlite3.connect(uri, uri=True, timeout=20)) as db:
            return list(db.execute(query, params).fetchall())

    def pending(self) -> int:
        return int(self.sql("SELECT count(*) FROM exchange_outboxmessage WHERE status = 'pending'")[0][0])

    def inbox_count(self, status: str = "applied") -> int:
        return int(self.sql("SELECT count(*) FROM exchange_inboxmessage WHERE status = ?", (status,))[0][0])

    def log_tail(self, kind: str, lines: int = 40) -> str:
        path = self.root / "logs" / f"{kind}.log"
        if not path.exists():
            return ""
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


class Cluster:
    """N nodes, each hosting one State, peers of each other. Use as a context manager."""

    def __init__(
        self,
        states: list[str],
        *,
        web_workers: int = 2,
        web_threads: int = 2,
        worker_poll: float = 2.0,
        extra_env: dict[str, str] | None = None,
    ) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="comity-e2e-"))
        self.nodes: dict[str, Node] = {}
        for state in states:
            root = self.root / state.lower()
            root.mkdir(mode=0o700)
            (root / "static").mkdir()  # STATIC_ROOT: whitenoise warns when it is missing
            self.nodes[state] = Node(
                name=state.lower(),
                state=state,
                root=root,
                port=free_port(),
                web_workers=web_workers,
                web_threads=web_threads,
                worker_poll=worker_poll,
                extra_env=dict(extra_env or {}),
            )
        self._finalizer = weakref.finalize(self, _cleanup, list(self.nodes.values()), self.root)
        _live.add(self)

    def __getitem__(self, state: str) -> Node:
        return self.nodes[state]

    def __enter__(self) -> Cluster:
        try:
            self.start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self) -> None:
        template = migrated_template()
        names = {code: STATE_NAMES.get(code, f"State {code}") for code in self.nodes}
        for node in self.nodes.values():
            shutil.copyfile(template, node.db_path)
            node.start_driver()
            node.start_web(wait=False)
            node.start_worker()
        for node in self.nodes.values():
            result = node.call("setup", node_id=node.node_id, base_url=node.base_url, states=names)
            node.fingerprint = result["fingerprint"]
        for node in self.nodes.values():
            node.wait_web()
        self.connect()

    def connect(self) -> None:
        """Every node trusts every other one, after checking the fingerprint of its key set."""
        for node in self.nodes.values():
            for other in self.nodes.values():
                if other is node:
                    continue
                jwks = httpx.get(f"{other.base_url}/node/v1/keys", timeout=10).raise_for_status().json()
                node.call(
                    "peer_add",
                    node_id=other.node_id,
                    base_url=other.base_url,
                    states=[other.state],
                    jwks=jwks,
                    fingerprint=other.fingerprint,
                )

    def settled(self) -> bool:
        """No node has anything left to deliver."""
        return all(node.pending() == 0 for node in self.nodes.values())

    def wait_settled(self, timeout: float = 120.0) -> None:
        wait_for(self.settled, timeout=timeout, what="every outbox delivered")

    def close(self) -> None:
        self._finalizer()


def _cleanup(nodes: list[Node], root: Path) -> None:
    for node in nodes:
        with contextlib.suppress(Exception):
            node.stop()
    shutil.rmtree(root, ignore_errors=True)


@atexit.register
def _close_all() -> None:
    for cluster in list(_live):
        cluster.close()


@contextlib.contextmanager
def cluster(states: list[str], **kwargs: Any) -> Iterator[Cluster]:
    with Cluster(states, **kwargs) as started:
        yield started
