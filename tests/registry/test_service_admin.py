"""An admin page that writes through services: when a service refuses part-way, what was already
written is undone and the form comes back with the refusal on it."""

import pytest
from django.contrib import admin
from django.test import RequestFactory

from agreements.models import CooperationArea
from agreements.services import (
    cooperation_area_create,
    cooperation_area_delete,
    cooperation_area_update,
)
from registry.service_admin import ServiceAdminMixin, form_values
from tests.factories import MemorandumFactory

pytestmark = pytest.mark.django_db


class RenameThenRefusedAdmin(ServiceAdminMixin, admin.ModelAdmin):
    """Renames the area through its service, then makes a second service call that refuses."""

    fields = ["name"]
    refused_call = None

    def save_model(self, request, obj, form, change):
        cooperation_area_update(area=obj, actor=request.user, **form_values(form))
        self.refused_call(area=obj, actor=request.user)


def delete_while_in_use(*, area, actor):
    cooperation_area_delete(area=area, actor=actor)


def make_own_parent(*, area, actor):
    cooperation_area_update(area=area, actor=actor, parent=area)


def blank_the_name(*, area, actor):
    cooperation_area_update(area=area, actor=actor, name="")


@pytest.fixture
def space():
    area = cooperation_area_create(actor=None, code="space", name="Space research")
    MemorandumFactory().cooperation_areas.add(area)
    return area


def post_change(area, superuser, refused_call, name="Outer space"):
    model_admin = RenameThenRefusedAdmin(CooperationArea, admin.site)
    model_admin.refused_call = staticmethod(refused_call)
    request = RequestFactory().post("/", {"name": name})
    request.user = superuser
    request._dont_enforce_csrf_checks = True
    return model_admin.changeform_view(request, str(area.pk))


@pytest.mark.parametrize(
    "refused_call, field, message",
    [
        (
            delete_while_in_use,
            "__all__",
            "The cooperation area “Outer space” is used by 1 memorandum: remove it from them "
            "first.",
        ),
        (
            make_own_parent,
            "__all__",
            "Parent: An area cannot be its own parent, nor the parent of its parents.",
        ),
        (blank_the_name, "name", "This field cannot be blank."),
    ],
)
def test_a_refusal_undoes_the_save_and_shows_on_the_form(
    space, superuser, refused_call, field, message
):
    response = post_change(space, superuser, refused_call)

    assert response.status_code == 200
    form = response.context_data["adminform"].form
    assert form.errors[field] == [message]
    assert form["name"].value() == "Outer space"
    space.refresh_from_db()
    assert space.name == "Space research"
    assert space.history.count() == 1
