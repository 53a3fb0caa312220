from django.apps import AppConfig

# What the history and audit views call each action the plays services record.
ACTION_LABELS = {
    "plays.catalog_installed": "Play catalog installed",
    "play.updated": "Play changed",
    "package.component_updated": "Component changed",
    "package.version_created": "Version derived",
    "package.override_set": "Component overridden",
    "package.override_cleared": "Override removed",
}


class PlaysConfig(AppConfig):
    name = "plays"

    def ready(self) -> None:
        from partnerhub.tenancy.history import register_action_labels, register_vertical_field

        register_action_labels(ACTION_LABELS)
        register_vertical_field("plays.ActivationPackage", "vertical")
