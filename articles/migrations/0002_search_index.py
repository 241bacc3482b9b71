from django.db import migrations

from articles.dbops import RunSQLOn


class Migration(migrations.Migration):
    dependencies = [("articles", "0001_initial")]

    operations = [
        RunSQLOn(
            "postgresql",
            "CREATE INDEX article_search_vector_idx ON articles_article USING gin (search_vector);",
            "DROP INDEX IF EXISTS article_search_vector_idx;",
        ),
    ]
