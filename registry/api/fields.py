"""Serializer fields for related objects that not every reader may see."""

from rest_framework import serializers


class ReadableRelatedField(serializers.PrimaryKeyRelatedField):
    """A related object's id, written as usual and read as null unless the row says the reader
    may see that object: `readable` names the row's annotation that says so (the selector
    sets it). A row without the annotation shows null, so a forgotten annotation hides rather
    than leaks. The OpenAPI schema marks the field nullable in responses only
    (`registry.api.schema`)."""

    def __init__(self, *, readable: str, **kwargs):
        self.readable = readable
        super().__init__(**kwargs)

    def get_attribute(self, instance):
        if not getattr(instance, self.readable, False):
            return None
        return super().get_attribute(instance)
