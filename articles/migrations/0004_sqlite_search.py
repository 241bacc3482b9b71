from django.db import migrations


class SQLiteOnly(migrations.RunSQL):
    """SQLite's full-text index (FTS5); PostgreSQL has its own (0002)."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "sqlite":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "sqlite":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    dependencies = [("articles", "0003_content_version")]

    operations = [
        SQLiteOnly(
            [
                "CREATE VIRTUAL TABLE articles_article_fts USING fts5("
                "title, summary, search_text, tokenize='porter unicode61')",
                "INSERT INTO articles_article_fts (rowid, title, summary, search_text) "
                "SELECT id, title, summary, search_text FROM articles_article",
            ],
            "DROP TABLE IF EXISTS articles_article_fts",
        ),
    ]
