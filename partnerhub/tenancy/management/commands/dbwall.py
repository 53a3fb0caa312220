"""`manage.py dbwall`: is the database wall up for the application's connection? Exits 1 if not."""

from django.core.management.base import BaseCommand, CommandError

from partnerhub.tenancy.rls import wall_report


class Command(BaseCommand):
    help = "Report the application role's attributes and every tenant table's row-level security."

    def handle(self, *args, **options):
        report = wall_report()
        self.stdout.write(
            f"application role {report['role']}: superuser={report['superuser']} "
            f"bypassrls={report['bypassrls']} tables owned={report['tables_owned']}"
        )
        self.stdout.write(
            f"tenant tables: {report['tenant_tables']}, without forced row-level security and "
            f"policy: {', '.join(report['unguarded']) or 'none'}"
        )
        if report["superuser"] or report["bypassrls"] or report["tables_owned"] or report["unguarded"]:
            raise CommandError("The database wall is down: see docs/operations.md.")
