"""`flush` (TRUNCATE, used between transactional tests) runs as the owner role: the application
role has no TRUNCATE, which row-level security does not filter."""

from django.core.management.commands import flush

from partnerhub.tenancy.rls import owner_connection


class Command(flush.Command):
    def handle(self, **options):
        with owner_connection(options["database"]):
            return super().handle(**options)
