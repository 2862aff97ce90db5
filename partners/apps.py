from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = "Partners"

    def ready(self):
        # Registers the SQLite case-folding function on every new connection.
        from registry import search  # noqa: F401
