import django.contrib.postgres.indexes
import django.contrib.postgres.search
import django.db.models.functions.text
from django.db import migrations, models

import registry.search
from registry.migration_operations import AddPostgresIndex, RemovePostgresIndex


def _without_hyphen(field):
    return django.db.models.functions.text.Replace(
        models.F(field), models.Value("-"), models.Value(" "), output_field=models.TextField()
    )


class Migration(migrations.Migration):
    """A memorandum's own searched text as a stored vector: its GIN index replaces the index
    on the expression, and a search reads one column per row instead of parsing three."""

    dependencies = [
        ("agreements", "0009_successor_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="memorandum",
            name="search_document",
            field=models.GeneratedField(
                db_persist=True,
                expression=registry.search.SearchDocument("reference", "title", "summary"),
                output_field=registry.search.SearchDocumentField(),
            ),
        ),
        AddPostgresIndex(
            model_name="memorandum",
            index=django.contrib.postgres.indexes.GinIndex(
                fields=["search_document"], name="memorandum_document_idx"
            ),
        ),
        RemovePostgresIndex(
            model_name="memorandum",
            index=django.contrib.postgres.indexes.GinIndex(
                django.contrib.postgres.search.SearchVector(
                    _without_hyphen("reference"),
                    _without_hyphen("title"),
                    _without_hyphen("summary"),
                    config="simple",
                ),
                name="memorandum_search_idx",
            ),
        ),
    ]
