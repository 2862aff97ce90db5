"""What the admin shows of related objects: each one the reader may read, and "hidden" for any
other, never its name, link or id.

`ReadableRelationsMixin` goes before a `ModelAdmin`, `ReadableRelationsInlineMixin` before an
inline. For a reader who may not read every row of a related model (`selectors.reads_all_of`),
they show the relations to that model through `ShownRelation` wherever the page only shows them:
the fields of a page the reader may only view, the read-only fields, the changelist's columns.
Where the reader edits a relation, its choices come from the related model's gate; the
autocomplete answers through the related model's admin, whose queryset is gated.
"""

from django.contrib.admin.utils import flatten_fieldsets, quote
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html

from agreements.selectors import reads_all_of, visible_rows

HIDDEN = "hidden"


class ShownRelation:
    """A relation field as a page shows it to one reader: what the reader may read, linked to its
    admin page as Django links it, and `HIDDEN` for the rest. One per field and request, so
    that the page's fieldsets and read-only fields name the same object."""

    def __init__(self, field: models.Field, user, admin_site):
        self.field = field
        self.user = user
        self.admin_site = admin_site
        # Read by the admin as a callable's column name, label and sort key.
        self.__name__ = field.name
        self.short_description = field.verbose_name
        self.admin_order_field = field.name if not field.many_to_many else None
        self._readable: dict[int, bool] = {}

    def __call__(self, obj):
        if self.field.many_to_many:
            if obj.pk is None:
                return ""
            shown = [self._shown(related) for related in getattr(obj, self.field.name).all()]
            return format_html(", ".join(["{}"] * len(shown)), *shown) if shown else ""
        related = getattr(obj, self.field.name)
        return self.admin_site.empty_value_display if related is None else self._shown(related)

    def _shown(self, related):
        if not self._may_read(related):
            return HIDDEN
        opts = related._meta
        try:
            url = reverse(
                f"admin:{opts.app_label}_{opts.model_name}_change",
                args=[quote(related.pk)],
                current_app=self.admin_site.name,
            )
        except NoReverseMatch:
            return str(related)
        return format_html('<a href="{}">{}</a>', url, related)

    def _may_read(self, related) -> bool:
        if related.pk not in self._readable:
            model = self.field.related_model
            self._readable[related.pk] = (
                visible_rows(self.user, model).filter(pk=related.pk).exists()
            )
        return self._readable[related.pk]


class _ReadableRelations:
    """What the model admin and the inline mixins share; each says when its page only shows
    (`shows_only`) and how its form is made."""

    def _shown_relation(self, request, name):
        """The field called `name` as this reader sees it: itself, or its `ShownRelation` when it
        is a relation to rows the reader may not all read."""
        if not isinstance(name, str):
            return name
        try:
            field = self.model._meta.get_field(name)
        except FieldDoesNotExist:
            return name
        if not (field.is_relation and field.concrete) or reads_all_of(
            request.user, field.related_model
        ):
            return name
        shown = request.__dict__.setdefault("_shown_relations", {})
        key = (type(self), name)
        if key not in shown:
            shown[key] = ShownRelation(field, request.user, self.admin_site)
        return shown[key]

    def _shown_fields(self, request, names, *, among=None):
        """`names` (nested as a fieldset nests them) with the relations shown as this reader
        sees them: all of them, or only those named in `among`."""
        return [
            self._shown_fields(request, name, among=among)
            if isinstance(name, list | tuple)
            else (self._shown_relation(request, name) if among is None or name in among else name)
            for name in names
        ]

    def shows_only(self, request, obj=None) -> bool:
        """Whether the page shows these fields without letting the reader change them."""
        raise NotImplementedError

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        # On a page the reader may change, only the read-only fields are merely shown.
        among = (
            None
            if self.shows_only(request, obj)
            else set(super().get_readonly_fields(request, obj))
        )
        return [
            (
                name,
                {**options, "fields": self._shown_fields(request, options["fields"], among=among)},
            )
            for name, options in fieldsets
        ]

    @staticmethod
    def _form_fields(fields):
        """The names a form is made of: a shown relation is on the page, not in the form."""
        return None if fields is None else [name for name in fields if isinstance(name, str)]

    def get_readonly_fields(self, request, obj=None):
        return self._shown_fields(request, super().get_readonly_fields(request, obj))

    def get_list_display(self, request):
        return self._shown_fields(request, super().get_list_display(request))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "queryset" not in kwargs and not reads_all_of(request.user, db_field.related_model):
            kwargs["queryset"] = visible_rows(request.user, db_field.related_model)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "queryset" not in kwargs and not reads_all_of(request.user, db_field.related_model):
            kwargs["queryset"] = visible_rows(request.user, db_field.related_model)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class ReadableRelationsMixin(_ReadableRelations):
    """For a model admin: a page only shows an object the reader may not change."""

    def shows_only(self, request, obj=None) -> bool:
        return obj is not None and not self.has_change_permission(request, obj)

    def get_form(self, request, obj=None, change=False, **kwargs):
        if "fields" not in kwargs:
            kwargs["fields"] = flatten_fieldsets(self.get_fieldsets(request, obj))
        kwargs["fields"] = self._form_fields(kwargs["fields"])
        return super().get_form(request, obj, change, **kwargs)


class ReadableRelationsInlineMixin(_ReadableRelations):
    """For an inline: its rows are only shown when the reader may not change them, or may not
    change the object the page is about."""

    def get_formset(self, request, obj=None, **kwargs):
        if "fields" not in kwargs:
            kwargs["fields"] = flatten_fieldsets(self.get_fieldsets(request, obj))
        kwargs["fields"] = self._form_fields(kwargs["fields"])
        return super().get_formset(request, obj, **kwargs)

    def shows_only(self, request, obj=None) -> bool:
        parent_admin = self.admin_site._registry.get(self.parent_model)
        if parent_admin is not None:
            if obj is not None and not parent_admin.has_change_permission(request, obj):
                return True
            if obj is None and not parent_admin.has_add_permission(request):
                return True
        return not self.has_change_permission(request, obj)
