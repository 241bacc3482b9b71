from django.db import migrations


class PostgreSQLOnly(migrations.RunSQL):
    """Full-text search lives on PostgreSQL; SQLite uses a plain match instead."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    dependencies = [("articles", "0001_initial")]

    operations = [
        PostgreSQLOnly(
            "CREATE INDEX article_search_vector_idx ON articles_article USING gin (search_vector);",
            "DROP INDEX IF EXISTS article_search_vector_idx;",
        ),
    ]
