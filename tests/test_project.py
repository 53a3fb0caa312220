"""Project hygiene that CI must enforce: lint, formatting, migrations, production settings."""

import os
import secrets
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent
RUFF = Path(sys.executable).parent / "ruff"


def run(*command, env=None) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=env, timeout=120)


def test_ruff_check_is_clean():
    result = run(str(RUFF), "check", ".")
    assert result.returncode == 0, result.stdout


def test_ruff_format_is_clean():
    result = run(str(RUFF), "format", "--check", ".")
    assert result.returncode == 0, result.stdout


@pytest.mark.django_db
def test_no_model_change_lacks_a_migration():
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


def test_production_settings_pass_the_deploy_check():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "partnerhub.settings.base",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "partners.example.com",
        "DATABASE_URL": os.environ.get("DATABASE_URL", ""),
        "REDIS_URL": os.environ.get("REDIS_URL", settings.REDIS_URL),
    }
    result = run(sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_development_key_fails_the_deploy_check():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "partnerhub.settings.base", "DJANGO_DEBUG": "0"}
    env.pop("DJANGO_SECRET_KEY", None)
    result = run(sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stdout + result.stderr


def variables_read_by_settings() -> set[str]:
    import re

    names = set()
    for path in [*ROOT.glob("partnerhub/settings/*.py"), ROOT / "partnerhub/embedded.py"]:
        text = path.read_text()
        names |= set(re.findall(r'env(?:_bool|_int|_list)?\(\s*"([A-Z][A-Z0-9_]+)"', text))
        names |= set(re.findall(r'os\.environ(?:\.get\(|\[)"([A-Z][A-Z0-9_]+)"', text))
    return names - {"PYTEST_XDIST_WORKER"}


def test_env_example_documents_every_variable_the_settings_read():
    documented = {
        line.split("=", 1)[0] for line in (ROOT / ".env.example").read_text().splitlines() if "=" in line
    }
    read = variables_read_by_settings()
    assert "DATABASE_URL" in read and "EMAIL_BACKEND" in read
    assert read - documented == set()


def test_compose_runs_the_production_shape():
    import yaml

    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    assert set(services) == {"postgres", "redis", "migrate", "web", "worker", "beat"}
    assert "gunicorn" in (ROOT / "Dockerfile").read_text()
    assert services["beat"]["command"][:4] == ["celery", "-A", "partnerhub", "beat"]


def test_compose_connects_the_application_as_the_bound_role():
    import yaml

    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    app = compose["x-app"]["environment"]
    assert app["DATABASE_URL"].startswith("postgres://partnerhub_app:")
    assert app["DATABASE_OWNER_URL"].startswith("postgres://partnerhub_owner:")
    init = (ROOT / "deploy/postgres-init.sh").read_text()
    assert "CREATE ROLE partnerhub_app LOGIN NOINHERIT NOSUPERUSER NOBYPASSRLS" in init
    assert any(
        "postgres-init.sh:/docker-entrypoint-initdb.d/" in v
        for v in compose["services"]["postgres"]["volumes"]
    )


def test_a_fresh_web_process_enqueues_tasks_by_name():
    """Celery discovers the apps' tasks modules in workers only: a web process that imported none
    must still resolve a task's name (a review notifying the partner used to fail with a 500)."""
    code = (
        "from django.db import transaction; "
        "from partnerhub.tenancy.tasking import enqueue_on_commit\n"
        "with transaction.atomic():\n"
        "    enqueue_on_commit('tenancy.send_notification_email', tenant_id=0, notification_id=0)\n"
        "    transaction.set_rollback(True)\n"
        "print('resolved')"
    )
    result = run(sys.executable, "manage.py", "shell", "-c", code)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "resolved" in result.stdout
