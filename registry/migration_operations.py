from django.db import migrations


class AddPostgresIndex(migrations.AddIndex):
    """An index only PostgreSQL can build (GIN for text search or trigrams).

    It is kept out of the models' migration state, so that SQLite never meets it, not even
    when it rebuilds a table to add a column; on PostgreSQL it is created and dropped here.
    """

    def state_forwards(self, app_label, state):
        pass

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        model = to_state.apps.get_model(app_label, self.model_name)
        if schema_editor.connection.vendor == "postgresql" and self.allow_migrate_model(
            schema_editor.connection.alias, model
        ):
            schema_editor.add_index(model, self.index)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        model = from_state.apps.get_model(app_label, self.model_name)
        if schema_editor.connection.vendor == "postgresql" and self.allow_migrate_model(
            schema_editor.connection.alias, model
        ):
            schema_editor.remove_index(model, self.index)


class RemovePostgresIndex(AddPostgresIndex):
    """Drops an index that `AddPostgresIndex` made (and makes it again when migrating back)."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        super().database_backwards(app_label, schema_editor, to_state, from_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        super().database_forwards(app_label, schema_editor, to_state, from_state)

    def describe(self):
        return f"Remove index {self.index.name} on {self.model_name}"
