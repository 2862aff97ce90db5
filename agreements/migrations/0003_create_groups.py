"""The groups of SPEC section 2 with their model permissions."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

REGISTRY_MODELS = {
    "partners": ["institution", "institutionalias", "person"],
    "agreements": [
        "cooperationarea",
        "memorandum",
        "party",
        "signatory",
        "commitment",
        "document",
    ],
}
# Parts an editor removes while editing a memorandum; a whole memorandum only while it is a draft
# (the service checks the stage).
EDITOR_DELETABLE = {
    "memorandum",
    "party",
    "signatory",
    "commitment",
    "document",
    "institutionalias",
}
ADMIN_EXTRA = {
    "auth": ["user", "group"],
    "authtoken": ["token", "tokenproxy"],
    "partners": ["partnerlink"],
    "agreements": ["sustainabledevelopmentgoal"],
    "taggit": ["tag", "taggeditem"],
}


def codenames(models, actions):
    return [f"{action}_{model}" for model in models for action in actions]


def create_groups(apps, schema_editor):
    # Permissions are otherwise created only after all migrations ran.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    def permissions(app_models, actions):
        selected = Permission.objects.none()
        for app_label, models in app_models.items():
            selected |= Permission.objects.filter(
                content_type__app_label=app_label, codename__in=codenames(models, actions)
            )
        return selected

    view = permissions(REGISTRY_MODELS, ["view"])
    editor = (
        view
        | permissions(REGISTRY_MODELS, ["add", "change"])
        | Permission.objects.filter(codename__in=[f"delete_{model}" for model in EDITOR_DELETABLE])
    )
    everything = permissions(REGISTRY_MODELS, ["view", "add", "change", "delete"]) | permissions(
        ADMIN_EXTRA, ["view", "add", "change", "delete"]
    )
    for name, granted in [
        ("registry-viewer", view),
        (
            "registry-editor",
            editor.exclude(codename__in=["add_cooperationarea", "change_cooperationarea"]),
        ),
        ("registry-auditor", view),
        ("registry-admin", everything),
    ]:
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(granted.distinct())


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(
        name__in=["registry-viewer", "registry-editor", "registry-auditor", "registry-admin"]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("agreements", "0002_seed_areas_and_sdgs"),
        ("partners", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("authtoken", "0004_alter_tokenproxy_options"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
