"""Organisational units join the registry's models in the groups of SPEC section 2, unit editor
grants are the administrators' to give, and the `registry-unit-editor` group is made: it views
what a viewer views and adds, changes and deletes memoranda and their parts (the services and
the admin limit that to the memoranda its units own)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

UNIT = "organisationalunit"
GRANT = "uniteditorgrant"
READABLE = {
    "partners": ["institution", "institutionalias", "person", UNIT],
    "agreements": ["cooperationarea", "memorandum", "party", "signatory", "commitment", "document"],
}
MEMORANDUM_PARTS = ["memorandum", "party", "signatory", "commitment", "document"]


def _permissions(apps, app_label, models, actions):
    Permission = apps.get_model("auth", "Permission")
    return Permission.objects.filter(
        content_type__app_label=app_label,
        codename__in=[f"{action}_{model}" for model in models for action in actions],
    )


def grant(apps, schema_editor):
    # Permissions are otherwise created only after all migrations ran.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    groups = {group.name: group for group in Group.objects.all()}
    unit_view = _permissions(apps, "partners", [UNIT], ["view"])
    for name in ("registry-viewer", "registry-auditor"):
        if name in groups:
            groups[name].permissions.add(*unit_view)
    if "registry-editor" in groups:
        groups["registry-editor"].permissions.add(
            *_permissions(apps, "partners", [UNIT], ["view", "add", "change"])
        )
    if "registry-admin" in groups:
        groups["registry-admin"].permissions.add(
            *_permissions(apps, "partners", [UNIT, GRANT], ["view", "add", "change", "delete"])
        )
    unit_editor, _ = Group.objects.get_or_create(name="registry-unit-editor")
    view = [
        permission
        for app_label, models in READABLE.items()
        for permission in _permissions(apps, app_label, models, ["view"])
    ]
    edit = _permissions(apps, "agreements", MEMORANDUM_PARTS, ["add", "change", "delete"])
    unit_editor.permissions.set([*view, *edit])


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.filter(name="registry-unit-editor").delete()
    for group in Group.objects.all():
        group.permissions.remove(
            *_permissions(apps, "partners", [UNIT, GRANT], ["view", "add", "change", "delete"])
        )


class Migration(migrations.Migration):
    dependencies = [
        ("agreements", "0014_memorandum_owner_unit_and_party_unit"),
        ("agreements", "0003_create_groups"),
        ("partners", "0007_unit_editor_grants"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
