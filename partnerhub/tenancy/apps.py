from django.apps import AppConfig


class TenancyConfig(AppConfig):
    name = "partnerhub.tenancy"
    label = "tenancy"
    verbose_name = "Tenancy"

    def ready(self) -> None:
        from partnerhub.tenancy.api import schema  # noqa: F401  (registers the OpenAPI auth schemes)
