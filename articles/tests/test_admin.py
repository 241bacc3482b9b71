from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from articles import search
from articles.models import FAQ, Article, Reference, SlugRedirect
from articles.tests.conftest import upload

pytestmark = pytest.mark.django_db


def inline_management(prefix, total=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def article_form(category, **overrides):
    data = {
        "title": "Pacing on bad days",
        "slug": "pacing-bad-days",
        "summary": "Rest before you crash.\nPlan small steps.",
        "body": "## Start small\n\nTen minutes, then rest.",
        "status": "published",
        "publish_at_0": "2026-01-10",
        "publish_at_1": "09:00:00",
        "category": category.pk,
        "hero_alt": "",
        "written_by": "",
        "reviewed_by": "",
        "last_reviewed": "",
        **inline_management("faqs"),
        **inline_management("references"),
    }
    data.update(overrides)
    return data


def test_changelist_shows_status_category_and_reviewer(admin_client, article, make_article):
    make_article(title="A quiet draft", status=Article.Status.DRAFT)
    response = admin_client.get(reverse("admin:articles_article_changelist"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Low-dose naltrexone and fatigue" in html and "A quiet draft" in html
    assert "Dr Ana Ruiz" in html and ">Draft<" in html and ">Published<" in html


def test_changelist_search_and_filters(admin_client, article, make_article):
    make_article(title="Sleep hygiene")
    url = reverse("admin:articles_article_changelist")
    assert "Sleep hygiene" not in admin_client.get(url, {"q": "naltrexone"}).content.decode()
    drafts = admin_client.get(url, {"status__exact": "draft"}).content.decode()
    assert "Low-dose naltrexone" not in drafts


def test_add_article_with_faq_and_reference_inlines(admin_client, category, admin_user):
    data = article_form(
        category,
        **{
            **inline_management("faqs", 1),
            "faqs-0-question": "Can I exercise?",
            "faqs-0-answer": "Yes, *gently*.",
            "faqs-0-order": "0",
            **inline_management("references", 1),
            "references-0-citation": "Clauw DJ. JAMA 2014.",
            "references-0-doi": "10.1001/jama.2014.3266",
            "references-0-order": "0",
        },
    )
    response = admin_client.post(reverse("admin:articles_article_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    article = Article.objects.get(slug="pacing-bad-days")
    assert article.author == admin_user
    assert '<h2 id="start-small">' in article.body_html
    assert FAQ.objects.get(article=article).answer_html == "<p>Yes, <em>gently</em>.</p>"
    assert (
        Reference.objects.get(article=article).doi_url == "https://doi.org/10.1001/jama.2014.3266"
    )
    # The question added in the inline is found by search, linking to its anchor.
    faq = FAQ.objects.get(article=article)
    hits = list(search.search("gently").results)
    assert [h.url for h in hits] == [f"/articles/pacing-bad-days/#faq-{faq.pk}"]


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("references-0-doi", "https://doi.org/10.1/x", "A DOI looks like"),
        ("references-0-pmid", "PMID:12", "A PubMed ID is a number"),
        ("references-0-url", "javascript:alert(1)", "Enter a valid URL"),
    ],
)
def test_bad_reference_identifiers_get_form_errors(admin_client, category, field, value, error):
    data = article_form(
        category,
        **{
            **inline_management("references", 1),
            "references-0-citation": "A study.",
            "references-0-order": "0",
            field: value,
        },
    )
    response = admin_client.post(reverse("admin:articles_article_add"), data)
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not Article.objects.exists()


def test_change_page_renders_the_markdown_editor(admin_client, article):
    response = admin_client.get(reverse("admin:articles_article_change", args=[article.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "markdownx" in html and 'data-markdownx-urls-path="/editor/markdownify/"' in html
    assert 'data-markdownx-upload-urls-path="/editor/upload/"' in html


def test_changing_the_slug_in_the_admin_keeps_the_old_address(admin_client, article, client):
    data = article_form(
        article.category,
        title=article.title,
        slug="ldn-and-energy",
        summary=article.summary,
        body=article.body,
    )
    data.update(inline_management("faqs"))
    data.update(inline_management("references"))
    # Existing inline rows must be posted back as they are.
    for prefix, rows in (("faqs", article.faqs.all()), ("references", article.references.all())):
        data[f"{prefix}-TOTAL_FORMS"] = data[f"{prefix}-INITIAL_FORMS"] = str(len(rows))
        for i, row in enumerate(rows):
            data[f"{prefix}-{i}-id"] = row.pk
            data[f"{prefix}-{i}-article"] = article.pk
            for name in ("question", "answer", "citation", "doi", "pmid", "url", "order"):
                if hasattr(row, name):
                    data[f"{prefix}-{i}-{name}"] = getattr(row, name)
    response = admin_client.post(reverse("admin:articles_article_change", args=[article.pk]), data)
    assert response.status_code == 302
    assert SlugRedirect.objects.get(old_slug="ldn-fatigue").article == article
    assert client.get("/articles/ldn-fatigue/")["Location"] == "/articles/ldn-and-energy/"


def test_publish_and_unpublish_actions(admin_client, make_article, client):
    drafts = [make_article(status=Article.Status.DRAFT) for _ in range(2)]
    url = reverse("admin:articles_article_changelist")
    ids = [a.pk for a in drafts]
    admin_client.post(url, {"action": "publish", "_selected_action": ids})
    assert Article.objects.published().filter(pk__in=ids).count() == 2
    assert client.get(drafts[0].get_absolute_url()).status_code == 200
    admin_client.post(url, {"action": "unpublish", "_selected_action": ids})
    assert not Article.objects.published().filter(pk__in=ids).exists()


def test_view_on_site_works_for_drafts(admin_client, make_article):
    draft = make_article(status=Article.Status.DRAFT)
    change = admin_client.get(reverse("admin:articles_article_change", args=[draft.pk]))
    assert "View on site" in change.content.decode()
    content_type = ContentType.objects.get_for_model(Article)
    shortcut = admin_client.get(reverse("admin:view_on_site", args=[content_type.pk, draft.pk]))
    assert shortcut.status_code == 302 and shortcut["Location"].endswith(draft.get_absolute_url())
    assert admin_client.get(draft.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("model", ["faq", "category", "tag", "slugredirect"])
def test_other_article_admin_pages_load(admin_client, article, model):
    assert admin_client.get(reverse(f"admin:articles_{model}_changelist")).status_code == 200
    assert admin_client.get(reverse(f"admin:articles_{model}_add")).status_code == 200


def test_editor_without_superuser_rights_can_write_articles(client, django_user_model, category):
    editor = django_user_model.objects.create_user("editor", password="pw", is_staff=True)
    editor.user_permissions.set(Permission.objects.filter(content_type__app_label="articles"))
    client.force_login(editor)
    response = client.post(reverse("admin:articles_article_add"), article_form(category))
    assert response.status_code == 302
    assert Article.objects.get().author == editor


def test_publish_action_dates_old_drafts_today_and_schedules_future_ones(
    admin_client, make_article
):
    old = make_article(status=Article.Status.DRAFT, publish_at=timezone.now() - timedelta(days=9))
    later = timezone.now() + timedelta(days=2)
    future = make_article(status=Article.Status.DRAFT, publish_at=later)
    admin_client.post(
        reverse("admin:articles_article_changelist"),
        {"action": "publish", "_selected_action": [old.pk, future.pk]},
    )
    old.refresh_from_db()
    future.refresh_from_db()
    assert old.status == future.status == Article.Status.PUBLISHED
    assert timezone.now() - old.publish_at < timedelta(seconds=5)
    assert future.publish_at == later and not future.is_live


def test_an_article_whose_image_went_missing_from_disk_can_still_be_edited(
    admin_client, make_article, settings
):
    article = make_article(hero_image=upload(size=(900, 600)), hero_alt="A calm lake")
    (settings.MEDIA_ROOT / article.hero_image.name).unlink()  # lost in a restore, say
    data = article_form(
        article.category, title="Pacing, revised", slug=article.slug, hero_alt="A calm lake"
    )
    response = admin_client.post(reverse("admin:articles_article_change", args=[article.pk]), data)
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.title == "Pacing, revised"
    assert (article.hero_width, article.hero_height) == (900, 600)  # the recorded size stays
