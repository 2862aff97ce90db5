from django.db import migrations, models
from django.db.models import Prefetch

from agreements.fingerprint import stored_fingerprint
from registry.iteration import chunks

AT_A_TIME = 500


def fill_fingerprints(apps, schema_editor):
    """Every signed memorandum's fingerprint, computed as the services compute it."""
    Memorandum = apps.get_model("agreements", "Memorandum")
    Party = apps.get_model("agreements", "Party")
    Commitment = apps.get_model("agreements", "Commitment")
    signed = Memorandum.objects.filter(stage="signed").order_by("pk")
    for ids in chunks(signed.values_list("pk", flat=True).iterator(), AT_A_TIME):
        memoranda = Memorandum.objects.filter(pk__in=ids).prefetch_related(
            Prefetch("parties", queryset=Party.objects.select_related("institution")),
            "cooperation_areas",
            "sdgs",
            Prefetch("commitments", queryset=Commitment.objects.select_related("area")),
            "documents",
        )
        memoranda = list(memoranda)
        for memorandum in memoranda:
            memorandum.fingerprint = stored_fingerprint(memorandum)
        Memorandum.objects.bulk_update(memoranda, ["fingerprint"])


class Migration(migrations.Migration):
    dependencies = [
        ("agreements", "0012_delete_dataversion"),
    ]

    operations = [
        migrations.AddField(
            model_name="memorandum",
            name="fingerprint",
            field=models.CharField(blank=True, default="", editable=False, max_length=64),
        ),
        migrations.RunPython(fill_fingerprints, migrations.RunPython.noop, elidable=True),
    ]
