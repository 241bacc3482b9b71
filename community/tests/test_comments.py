import pytest
from django.core import mail
from django.utils import timezone
from model_bakery import baker

from articles.models import Article
from community.models import Comment

pytestmark = pytest.mark.django_db

# The article page with its store box: 9 queries; community adds one for comments and one
# for the link sections (shared by the footer and the article).
ARTICLE_PAGE_QUERIES = 11


def comment(**overrides):
    return {
        "name": "Jo",
        "email": "jo@example.com",
        "body": "Pacing saved my week.",
        "consent": "on",
        **overrides,
    }


def approved(article, n, **fields):
    return baker.make(
        Comment,
        article=article,
        status=Comment.Status.APPROVED,
        consent_at=timezone.now(),
        _quantity=n,
        **fields,
    )


def test_article_page_links_to_the_comment_page_and_carries_no_form_or_cookie(client, article):
    response = client.get(article.get_absolute_url())
    html = response.content.decode()

    assert 'href="/articles/pacing/comment/"' in html
    assert "csrfmiddlewaretoken" not in html and "<textarea" not in html
    assert not response.cookies


def test_comment_page_is_an_uncached_form(client, article):
    response = client.get("/articles/pacing/comment/")
    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"]
    assert "Pacing your energy" in response.content.decode()
    assert 'name="csrfmiddlewaretoken"' in response.content.decode()


def test_no_comment_page_for_an_unpublished_article(client, article):
    Article.objects.filter(pk=article.pk).update(status=Article.Status.DRAFT)
    assert client.get("/articles/pacing/comment/").status_code == 404


def test_a_comment_waits_for_moderation_and_staff_are_told(send, article, notify, client):
    response = send("/articles/pacing/comment/", comment())

    assert response["Location"] == "/articles/pacing/comment/thanks/"
    saved = Comment.objects.get()
    assert saved.status == Comment.Status.PENDING and saved.article == article
    [sent] = mail.outbox
    assert sent.to == notify and "Pacing saved my week." in sent.body
    assert "Pacing saved my week." not in client.get(article.get_absolute_url()).content.decode()
    assert "held" not in client.get(response["Location"]).content.decode()  # thanks page renders


def test_approved_comments_show_with_a_count_and_the_site_reply(client, article):
    approved(article, 1, name="Jo", body="First!", reply="Thanks, Jo.")
    approved(article, 1, name="Sam", body="Second.")
    baker.make(Comment, article=article, body="Waiting", consent_at=timezone.now())
    baker.make(Comment, article=article, body="Spammy", status="spam", consent_at=timezone.now())

    html = client.get(article.get_absolute_url()).content.decode()

    assert "2 comments" in html
    assert "First!" in html and "Second." in html
    assert "FibroSite replied" in html and "Thanks, Jo." in html
    assert "Waiting" not in html and "Spammy" not in html
    assert "@example.com" not in html and "jo@" not in html


def test_html_in_comments_is_shown_as_text(client, article):
    approved(
        article,
        1,
        name="<b>Mallory</b>",
        body='<script>alert(1)</script><img src=x onerror="alert(2)">',
        reply="<a href='javascript:alert(3)'>x</a>",
    )

    html = client.get(article.get_absolute_url()).content.decode()

    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x" not in html and "<b>Mallory</b>" not in html
    assert "&lt;b&gt;Mallory&lt;/b&gt;" in html
    assert "<a href='javascript" not in html


def test_comment_name_line_breaks_are_flattened(send, article, notify):
    send("/articles/pacing/comment/", comment(name="Jo\r\nBcc: x@example.com"))
    assert Comment.objects.get().name == "Jo Bcc: x@example.com"
    assert mail.outbox[0].bcc == []


def test_comment_honeypot_and_rate_limit(send, article, settings):
    assert send("/articles/pacing/comment/", comment(leave_empty="x")).status_code == 302
    assert not Comment.objects.exists()

    settings.COMMUNITY_RATE_LIMITS = {**settings.COMMUNITY_RATE_LIMITS, "comment": (1, 60)}
    assert send("/articles/pacing/comment/", comment()).status_code == 302
    assert send("/articles/pacing/comment/", comment()).status_code == 429


@pytest.mark.parametrize("count", [1, 200])
def test_article_page_queries_do_not_grow_with_comments(
    client, article, django_assert_max_num_queries, count, settings
):
    """Comments and their replies come in one query: no n+1 however many there are."""
    settings.PAGECACHE_SECONDS = 0  # measure the page being built, not a cache hit
    approved(article, count, reply="Thank you")
    baker.make("community.SiteLink", section="blogs", url="https://a.example", _quantity=5)

    with django_assert_max_num_queries(ARTICLE_PAGE_QUERIES) as captured:
        html = client.get(article.get_absolute_url()).content.decode()

    assert f"{count} comment" in html
    comment_queries = [q for q in captured if "community_comment" in q["sql"]]
    link_queries = [q for q in captured if "community_sitelink" in q["sql"]]
    assert len(comment_queries) == 1
    assert len(link_queries) == 1, "footer and article links share one query"


def test_a_busy_article_shows_its_newest_comments_and_links_to_all_of_them(client, article):
    for n in range(25):
        approved(
            article,
            1,
            name=f"Reader {n}",
            created=timezone.now() - timezone.timedelta(minutes=100 - n),
        )
    html = client.get(article.get_absolute_url()).content.decode()
    assert "25 comments" in html
    assert html.count('class="comment"') == 10
    assert "Reader 24" in html and "Reader 15" in html and "Reader 14" not in html
    assert html.index("Reader 15") < html.index("Reader 24")  # oldest first among the newest
    assert f'href="/articles/{article.slug}/comments/"' in html

    all_page = client.get(f"/articles/{article.slug}/comments/").content.decode()
    assert all_page.count('class="comment"') == 25 and "Reader 0" in all_page


def test_comments_page_paginates_and_refuses_unknown_articles_and_pages(client, article):
    approved(article, 60)
    assert "Page 1 of 2" in client.get(f"/articles/{article.slug}/comments/").content.decode()
    assert client.get(f"/articles/{article.slug}/comments/?page=3").status_code == 404
    assert client.get("/articles/nope/comments/").status_code == 404
