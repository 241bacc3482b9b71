import pytest

pytestmark = pytest.mark.django_db


def test_old_slug_redirects_say_how_long_to_keep_them(client, make_article):
    article = make_article(slug="old-name")
    article.slug = "new-name"
    article.save()
    response = client.get("/articles/old-name/")
    assert response.status_code == 301 and response["Location"] == "/articles/new-name/"
    assert "max-age=3600" in response["Cache-Control"] and "public" in response["Cache-Control"]
