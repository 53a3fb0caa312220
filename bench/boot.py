"""Start Django on the benchmark database, creating and migrating it first if needed."""

from __future__ import annotations

import os


def bootstrap(*, migrate: bool = True) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    if migrate:
        _create_database()
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=0)


def _create_database() -> None:
    """As the owner role (the application role may not create databases), which then owns it."""
    import psycopg
    from django.db import connection

    from partnerhub.tenancy.rls import owner_connection

    with owner_connection():
        params = connection.get_connection_params()
    name = params.pop("dbname")
    params["dbname"] = "postgres"
    with psycopg.connect(**params, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
