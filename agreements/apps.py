from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate, pre_migrate


class AgreementsConfig(AppConfig):
    name = "agreements"
    verbose_name = "Agreements"

    def ready(self):
        from . import caching

        connection_created.connect(caching.install, dispatch_uid="agreements.caching.install")
        pre_migrate.connect(caching.pause_while_migrating, sender=self)
        post_migrate.connect(caching.resume_after_migrating, sender=self)
