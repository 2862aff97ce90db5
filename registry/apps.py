from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate, pre_migrate


class RegistryConfig(AppConfig):
    name = "registry"
    verbose_name = "Registry"

    def ready(self):
        from . import caching

        connection_created.connect(caching.install, dispatch_uid="registry.caching.install")
        pre_migrate.connect(caching.pause_while_migrating, sender=self)
        post_migrate.connect(caching.resume_after_migrating, sender=self)
