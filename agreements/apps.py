from django.apps import AppConfig


class AgreementsConfig(AppConfig):
    name = "agreements"
    verbose_name = "Agreements"

    def ready(self):
        from partners.signals import institutions_changed

        from . import services
        from .approvals import services as approvals

        institutions_changed.connect(
            services.memoranda_of_institutions_refresh,
            dispatch_uid="agreements.services.memoranda_of_institutions_refresh",
        )
        services.terms_refreshed.connect(
            approvals.terms_refreshed, dispatch_uid="agreements.approvals.services.terms_refreshed"
        )
