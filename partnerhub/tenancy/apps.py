from django.apps import AppConfig
from django.db.models.signals import post_migrate


class TenancyConfig(AppConfig):
    name = "partnerhub.tenancy"
    label = "tenancy"
    verbose_name = "Tenancy"

    def ready(self) -> None:
        from partnerhub.tenancy.api import schema  # noqa: F401  (registers the OpenAPI auth schemes)

        # After every migrate (every app's, this one's signal comes once): the database wall.
        post_migrate.connect(install_wall_after_migrate, sender=self)


def install_wall_after_migrate(sender, using, **kwargs) -> None:
    from partnerhub.tenancy.rls import install_wall

    install_wall(using=using)
