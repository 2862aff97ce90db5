"""Viewsets that write through the services of their app, the one door for every write."""

from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType


@dataclass(frozen=True)
class ServiceWrites:
    """The services of one model in `module`, named `<name>_create`, `<name>_update` and
    `<name>_delete`; `entity` is the keyword the last two take the object by (default: name)."""

    module: ModuleType
    name: str
    entity: str = ""

    def service(self, action: str) -> Callable:
        return getattr(self.module, f"{self.name}_{action}")

    @property
    def keyword(self) -> str:
        return self.entity or self.name


class ServiceWritesMixin:
    """`perform_create/update/destroy` of a model viewset, each one call to the service named
    by the viewset's `writes`, with the request's user as the actor. What was written is read
    back through the viewset's queryset, the reader's gate, so that the response shows only
    what the writer may read of it (a related object it may not read stays hidden)."""

    writes: ServiceWrites

    def perform_create(self, serializer):
        saved = self.writes.service("create")(actor=self.request.user, **serializer.validated_data)
        serializer.instance = self.get_queryset().get(pk=saved.pk)

    def perform_update(self, serializer):
        saved = self.writes.service("update")(
            **{self.writes.keyword: serializer.instance},
            actor=self.request.user,
            **serializer.validated_data,
        )
        serializer.instance = self.get_queryset().get(pk=saved.pk)

    def perform_destroy(self, instance):
        self.writes.service("delete")(**{self.writes.keyword: instance}, actor=self.request.user)
