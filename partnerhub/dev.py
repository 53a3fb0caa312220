"""`make run` and `make test`.

    python -m partnerhub.dev run     migrate, load the demo tenant, serve web + worker + beat
    python -m partnerhub.dev test    run the test suite (extra arguments go to pytest)
    python -m partnerhub.dev stop    stop the embedded PostgreSQL and Redis (of make run)

Without DATABASE_URL / REDIS_URL the embedded servers are started first and their URLs handed to
every child process; with them set, nothing is started. `run` serves on 127.0.0.1, port
PARTNERHUB_PORT (8000 by default), and says "ready" once the web server answers HTTP there.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from partnerhub import embedded

PYTHON = sys.executable
HOST = "127.0.0.1"  # loopback only: a development server is never exposed
# How long `run` waits for the web server to answer before it gives up (a cold start, with the
# first request loading every URL module, takes a few seconds; two minutes means something is wrong).
READY_TIMEOUT_SECONDS = 120


def services_env() -> tuple[dict[str, str], bool, bool]:
    """The environment for child processes, whether embedded servers are in use, and whether
    this call started them."""
    env = dict(os.environ)
    uses_embedded = started = False
    if not env.get("DATABASE_URL"):
        uses_embedded = True
        started |= not embedded.postgres_running()
        env["DATABASE_URL"], env["DATABASE_OWNER_URL"] = embedded.postgres_urls()
    if not env.get("REDIS_URL"):
        uses_embedded = True
        started |= not embedded.redis_running()
        env["REDIS_URL"] = embedded.redis_url()
    return env, uses_embedded, started


def _say(message: str) -> None:
    print(f"\033[1m[partnerhub]\033[0m {message}", flush=True)


def port() -> int:
    return int(os.environ.get("PARTNERHUB_PORT") or 8000)


def port_in_use(host: str, number: int) -> bool:
    """Another server on the port would answer the readiness poll in our web server's place."""
    with socket.socket() as probe:
        return probe.connect_ex((host, number)) == 0


def wait_until_answers(url: str, *, timeout: float, gave_up: Callable[[], str | None]) -> str | None:
    """Poll `url` until it answers HTTP: None then, else why waiting stopped (`gave_up()`'s reason,
    or the timeout). Any status is an answer: the server is up, even if that page is not."""
    # No proxy from the environment: the URL is on this machine.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        reason = gave_up()
        if reason:
            return reason
        try:
            with opener.open(url, timeout=5):
                return None
        except urllib.error.HTTPError:
            return None
        except OSError:  # refused or reset: not listening yet
            time.sleep(0.25)
    return f"{url} did not answer within {timeout:.0f} s"


def run() -> int:
    started_at = time.monotonic()
    address = f"{HOST}:{port()}"
    if port_in_use(HOST, port()):
        _say(f"something already listens on {address}: stop it, or choose a port with PARTNERHUB_PORT")
        return 1
    env, uses_embedded, _ = services_env()
    env["DJANGO_SETTINGS_MODULE"] = "partnerhub.settings.base"
    env.setdefault("DJANGO_DEBUG", "1")
    if uses_embedded:
        _say(f"embedded PostgreSQL and Redis under {embedded.data_dir()}")
    children: list[subprocess.Popen] = []
    received = _catch_stop_signals()
    try:
        subprocess.run([PYTHON, "manage.py", "migrate", "--noinput"], env=env, check=True)
        subprocess.run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], env=env, check=True)
        subprocess.run([PYTHON, "manage.py", "seed_demo"], env=env, check=True)
        commands = {
            "web": [PYTHON, "manage.py", "runserver", address],
            "worker": [
                PYTHON,
                "-m",
                "celery",
                "-A",
                "partnerhub",
                "worker",
                "--loglevel=INFO",
                "--concurrency=2",
                "--hostname=worker@%h",
            ],
            "beat": [PYTHON, "-m", "celery", "-A", "partnerhub", "beat", "--loglevel=INFO"],
        }
        for command in commands.values():
            # Own process group each: we stop them (and runserver's reloader child) as a whole.
            children.append(subprocess.Popen(command, env=env, start_new_session=True))
        stopped = wait_until_answers(
            f"http://{address}/healthz",
            timeout=READY_TIMEOUT_SECONDS,
            gave_up=lambda: _stop_reason(children, received),
        )
        if stopped:
            _say(f"not ready: {stopped}; stopping")
            return 0 if received else 1
        _say(f"ready in {time.monotonic() - started_at:.0f}s: http://{address}/ (Ctrl-C stops everything)")
        while not (stop := _stop_reason(children, received)):
            time.sleep(0.5)
        _say(f"stopping ({stop})")
        return 0
    except subprocess.CalledProcessError as exc:
        _say(f"set-up failed: {' '.join(exc.cmd)}")
        return exc.returncode or 1
    finally:
        _stop_children(children)
        if uses_embedded:
            embedded.stop()
            _say("embedded PostgreSQL and Redis stopped")


def _catch_stop_signals() -> list[str]:
    """Ctrl-C and SIGTERM, noted rather than raised: set-up steps finish or fail as they are,
    then everything started is stopped in order."""
    received: list[str] = []

    def on_signal(signum, frame):
        received.append(signal.Signals(signum).name)

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    return received


def _stop_reason(children: list[subprocess.Popen], received: list[str]) -> str | None:
    if received:
        return received[0]
    for child in children:
        if child.poll() is not None:
            return f"{' '.join(child.args[2:4])} exited with {child.returncode}"
    return None


def _stop_children(children: list[subprocess.Popen]) -> None:
    for child in children:
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGTERM)
    deadline = time.monotonic() + 15
    for child in children:
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait()


def _other_test_runs(runs_dir: Path) -> list[int]:
    """Pids of other test runs still alive (each leaves a file named by its pid while it runs)."""
    alive = []
    for marker in runs_dir.glob("*"):
        pid = int(marker.name) if marker.name.isdigit() else 0
        if pid == os.getpid():
            continue
        try:
            os.kill(pid, 0)
        except (OSError, ValueError):
            marker.unlink(missing_ok=True)
            continue
        alive.append(pid)
    return alive


def test(pytest_args: list[str]) -> int:
    # Embedded servers of its own: a test run never shares (or stops) those of a `make run`.
    os.environ.setdefault("PARTNERHUB_DATA_DIR", str(embedded.ROOT / ".partnerhub" / "test"))
    runs_dir = Path(os.environ["PARTNERHUB_DATA_DIR"]) / "runs"
    runs_dir.mkdir(parents=True, exist_ok=True)
    marker = runs_dir / str(os.getpid())
    marker.touch()
    env, _, started = services_env()
    # Importing this package (its Celery app) defaults the settings to base: tests need their own.
    env["DJANGO_SETTINGS_MODULE"] = "partnerhub.settings.test"
    try:
        return subprocess.call([PYTHON, "-m", "pytest", *pytest_args], env=env)
    finally:
        marker.unlink(missing_ok=True)
        # Stop what this run started, unless another test run (a concurrent one) still uses it.
        if started and not _other_test_runs(runs_dir):
            embedded.stop()


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "run"
    if command == "run":
        return run()
    if command == "test":
        return test(argv[1:])
    if command == "stop":
        embedded.stop()
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
