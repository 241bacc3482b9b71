from django.db import migrations

from articles.dbops import RunSQLOn


class Migration(migrations.Migration):
    dependencies = [("articles", "0003_content_version")]

    operations = [
        RunSQLOn(
            "sqlite",
            [
                "CREATE VIRTUAL TABLE articles_article_fts USING fts5("
                "title, summary, search_text, tokenize='porter unicode61')",
                "INSERT INTO articles_article_fts (rowid, title, summary, search_text) "
                "SELECT id, title, summary, search_text FROM articles_article",
            ],
            "DROP TABLE IF EXISTS articles_article_fts",
        ),
    ]
