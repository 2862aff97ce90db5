"""A memorandum's owner becomes one of our organisational units, and a party may be a unit.

The free-text `owner_unit` of every memorandum (and of its history) becomes a reference to a
unit of the home institution (`REGISTRY_HOME_INSTITUTION`) of that name, made when missing, so
that no value is lost; going back writes each unit's name into the text again.
"""

from collections import Counter

import django.db.models.deletion
from django.db import migrations, models

from partners.home import home_institution

NAME_LENGTH = 255


def _owning_institution(apps, texts):
    """Where the units go: the home institution, else the one party to most memoranda (the
    register is of our agreements, so that one is ours)."""
    Institution = apps.get_model("partners", "Institution")
    home = home_institution(Institution)
    if home is not None:
        return home
    Party = apps.get_model("agreements", "Party")
    counts = Counter(Party.objects.values_list("institution_id", flat=True))
    if counts:
        return Institution.objects.get(pk=counts.most_common(1)[0][0])
    raise RuntimeError(
        "Memoranda name owner units but there is no institution to hold them: set "
        "REGISTRY_HOME_INSTITUTION to our institution and migrate again. Units: "
        + ", ".join(sorted(texts))
    )


def texts_to_units(apps, schema_editor):
    Memorandum = apps.get_model("agreements", "Memorandum")
    HistoricalMemorandum = apps.get_model("agreements", "HistoricalMemorandum")
    Unit = apps.get_model("partners", "OrganisationalUnit")
    texts = set()
    for model in (Memorandum, HistoricalMemorandum):
        texts |= {
            text.strip()
            for text in model.objects.exclude(owner_unit_text="").values_list(
                "owner_unit_text", flat=True
            )
            if text.strip()
        }
    if not texts:
        return
    institution = _owning_institution(apps, texts)
    units = {unit.name.casefold(): unit for unit in Unit.objects.filter(institution=institution)}
    for text in sorted(texts):
        if text.casefold() not in units:
            units[text.casefold()] = Unit.objects.create(
                institution=institution, name=text[:NAME_LENGTH], kind="office"
            )
    for model in (Memorandum, HistoricalMemorandum):
        for text in (
            model.objects.exclude(owner_unit_text="")
            .values_list("owner_unit_text", flat=True)
            .distinct()
        ):
            if text.strip():
                model.objects.filter(owner_unit_text=text).update(
                    owner_unit=units[text.strip().casefold()]
                )


def units_to_texts(apps, schema_editor):
    Unit = apps.get_model("partners", "OrganisationalUnit")
    for model_name in ("Memorandum", "HistoricalMemorandum"):
        model = apps.get_model("agreements", model_name)
        for unit_id in (
            model.objects.exclude(owner_unit=None)
            .values_list("owner_unit_id", flat=True)
            .distinct()
        ):
            name = Unit.objects.filter(pk=unit_id).values_list("name", flat=True).first() or ""
            model.objects.filter(owner_unit_id=unit_id).update(owner_unit_text=name[:200])


class Migration(migrations.Migration):
    dependencies = [
        ("agreements", "0013_memorandum_fingerprint"),
        ("partners", "0006_organisational_units"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalparty",
            name="unit",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                help_text="The unit of the institution that is the party, when it is one unit.",
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="partners.organisationalunit",
            ),
        ),
        migrations.AddField(
            model_name="party",
            name="unit",
            field=models.ForeignKey(
                blank=True,
                help_text="The unit of the institution that is the party, when it is one unit.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="parties",
                to="partners.organisationalunit",
            ),
        ),
        migrations.RenameField("memorandum", "owner_unit", "owner_unit_text"),
        migrations.RenameField("historicalmemorandum", "owner_unit", "owner_unit_text"),
        migrations.AddField(
            model_name="historicalmemorandum",
            name="owner_unit",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                help_text="The unit of our institution that owns the agreement.",
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="partners.organisationalunit",
            ),
        ),
        migrations.AddField(
            model_name="memorandum",
            name="owner_unit",
            field=models.ForeignKey(
                blank=True,
                help_text="The unit of our institution that owns the agreement.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="owned_memoranda",
                to="partners.organisationalunit",
            ),
        ),
        migrations.RunPython(texts_to_units, units_to_texts),
        migrations.RemoveField("memorandum", "owner_unit_text"),
        migrations.RemoveField("historicalmemorandum", "owner_unit_text"),
    ]
