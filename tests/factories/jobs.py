import factory

from jobs.models import Job
from tests.factories.users import UserFactory


class JobFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Job

    owner = factory.SubFactory(UserFactory)
    kind = Job.Kind.EXPORT
    label = factory.Sequence(lambda n: f"XLSX export {n}")
