"""`migrate` runs as the owner role (DATABASE_OWNER_URL): the application role owns nothing."""

from django.core.management.commands import migrate

from partnerhub.tenancy.rls import owner_connection


class Command(migrate.Command):
    def handle(self, *args, **options):
        with owner_connection(options["database"]):
            return super().handle(*args, **options)
