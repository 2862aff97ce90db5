import factory
from django.db import transaction

from registry.caching import data_changed


class RegistryFactory(factory.django.DjangoModelFactory):
    """Factories set up a test's data without the services, so they tell the cache as a
    service would: figures cached before must not answer for the new rows."""

    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        with transaction.atomic():
            data_changed()
            return super()._create(model_class, *args, **kwargs)
