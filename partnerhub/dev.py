"""`make run` and `make test`.

    python -m partnerhub.dev run     migrate, load the demo tenant, serve web + worker + beat
    python -m partnerhub.dev test    run the test suite (extra arguments go to pytest)
    python -m partnerhub.dev stop    stop the embedded PostgreSQL and Redis (of make run)

Without DATABASE_URL / REDIS_URL the embedded servers are started first and their URLs handed to
every child process; with them set, nothing is started.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from partnerhub import embedded

PYTHON = sys.executable


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


def run() -> int:
    env, uses_embedded, _ = services_env()
    env["DJANGO_SETTINGS_MODULE"] = "partnerhub.settings.base"
    env.setdefault("DJANGO_DEBUG", "1")
    if uses_embedded:
        _say(f"embedded PostgreSQL and Redis under {embedded.data_dir()}")
    started_at = time.monotonic()
    children: list[subprocess.Popen] = []
    try:
        subprocess.run([PYTHON, "manage.py", "migrate", "--noinput"], env=env, check=True)
        subprocess.run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], env=env, check=True)
        subprocess.run([PYTHON, "manage.py", "seed_demo"], env=env, check=True)
        commands = {
            "web": [PYTHON, "manage.py", "runserver", "127.0.0.1:8000"],
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
        _say(
            f"ready in {time.monotonic() - started_at:.0f}s: http://127.0.0.1:8000/ (Ctrl-C stops everything)"
        )
        stop = _wait_for_signal_or_exit(children)
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


def _wait_for_signal_or_exit(children: list[subprocess.Popen]) -> str:
    received: list[str] = []

    def on_signal(signum, frame):
        received.append(signal.Signals(signum).name)

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    while not received:
        for child in children:
            if child.poll() is not None:
                return f"{' '.join(child.args[2:4])} exited with {child.returncode}"
        time.sleep(0.5)
    return received[0]


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
