from django.apps import AppConfig


class AgreementsConfig(AppConfig):
    name = "agreements"
    verbose_name = "Agreements"

    def ready(self):
        from partners.signals import institutions_changed

        from . import services

        institutions_changed.connect(
            services.memoranda_of_institutions_refresh,
            dispatch_uid="agreements.services.memoranda_of_institutions_refresh",
        )
