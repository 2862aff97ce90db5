from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.db.models.signals import post_migrate


class RegistryConfig(AppConfig):
    name = "registry"
    verbose_name = "Registry"

    def ready(self):
        from . import caching

        post_migrate.connect(caching.migrated, sender=self)


class RegistryAdminConfig(admin_apps.AdminConfig):
    """Django's admin, on the registry's own site (`registry.admin_site`); named in
    INSTALLED_APPS in its place."""

    # Not the registry app's own configuration.
    default = False

    default_site = "registry.admin_site.RegistryAdminSite"
