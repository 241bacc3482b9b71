"""Cached pages go stale through what each app declares public (core/pagecache.py): once
per transaction, whatever the transaction saves, and never for what no page shows."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, models, transaction
from django.test.utils import isolate_apps
from django.urls import reverse
from django.utils import timezone

from articles.models import FAQ, Article, Reference, Tag
from articles.tests.test_admin import article_form, inline_management
from community.models import Comment, ContactMessage, Subscriber
from core import pagecache
from core.pagecache import PublicQuerySet, current_version
from store.models import Product

pytestmark = pytest.mark.django_db


def test_an_admin_save_with_tags_faqs_and_references_bumps_the_version_once(admin_client, category):
    tags = [Tag.objects.create(name=name, slug=name) for name in ("sleep", "pacing")]
    data = article_form(category, tags=[tag.pk for tag in tags])
    data.update(inline_management("faqs", 3))
    data.update(inline_management("references", 3))
    for n in range(3):
        data.update({
            f"faqs-{n}-question": f"Question {n}?", f"faqs-{n}-answer": f"Answer {n}.",
            f"faqs-{n}-order": str(n),
            f"references-{n}-citation": f"Study {n}. 2024.", f"references-{n}-order": str(n),
        })  # fmt: skip
    before = current_version()

    response = admin_client.post(reverse("admin:articles_article_add"), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    article = Article.objects.get(slug="pacing-bad-days")
    assert article.tags.count() == 2
    assert FAQ.objects.filter(article=article).count() == 3
    assert Reference.objects.filter(article=article).count() == 3
    assert current_version() == before + 1


def test_a_bulk_update_bumps_once_and_one_that_matches_nothing_not_at_all(make_article):
    make_article(), make_article()
    before = current_version()
    assert Article.objects.update(title="Renamed in bulk") == 2
    assert current_version() == before + 1
    assert Article.objects.filter(slug="no-such-article").update(title="x") == 0
    assert current_version() == before + 1


def test_bulk_create_of_a_public_model_bumps(category):
    before = current_version()
    Tag.objects.bulk_create([Tag(name="fog", slug="fog"), Tag(name="rest", slug="rest")])
    assert current_version() == before + 1


def test_models_no_page_shows_never_bump(make_article):
    before = current_version()
    ContactMessage.objects.create(
        name="Sam", email="sam@example.org", message="Hello", consent_at=timezone.now()
    )
    ContactMessage.objects.update(message="Hello again")
    Subscriber.objects.create(email="sam@example.org", consented_at=timezone.now())
    assert current_version() == before


def test_fields_no_page_shows_never_bump(make_product):
    product = make_product()
    before = current_version()
    product.count_click()
    Product.objects.filter(pk=product.pk).update(click_count=7)
    assert current_version() == before
    Product.objects.filter(pk=product.pk).update(name="Warm heat pad")
    assert current_version() == before + 1


def test_a_comment_bumps_only_once_approved(make_article):
    article = make_article()
    before = current_version()
    comment = Comment.objects.create(
        article=article, name="Ana", email="ana@example.org", body="Thank you",
        consent_at=timezone.now(),
    )  # fmt: skip
    assert current_version() == before  # waiting for moderation: shown nowhere
    Comment.objects.filter(pk=comment.pk).update(status=Comment.Status.APPROVED)
    assert current_version() == before + 1


def test_a_rolled_back_change_leaves_the_version_and_the_next_transaction_bumps(category):
    before = current_version()
    with pytest.raises(RuntimeError), transaction.atomic():
        Tag.objects.create(name="fog", slug="fog")
        raise RuntimeError
    assert current_version() == before
    with transaction.atomic():
        Tag.objects.create(name="rest", slug="rest")
        Tag.objects.create(name="naps", slug="naps")
    with transaction.atomic():
        Tag.objects.filter(slug="rest").update(name="Rest")
    assert current_version() == before + 2


def test_declaring_a_model_whose_update_would_not_bump_is_refused():
    with pytest.raises(ImproperlyConfigured, match="ContactMessage is declared public"):
        pagecache.public(ContactMessage)


@pytest.mark.django_db(transaction=True)
@isolate_apps("core")
def test_a_new_apps_declared_model_is_invalidated_with_no_other_change(monkeypatch):
    """Real transactions (no test transaction around them), as in production."""

    class Notice(models.Model):
        text = models.CharField(max_length=40)

        objects = PublicQuerySet.as_manager()

        class Meta:
            app_label = "core"

        def __str__(self):
            return self.text

    monkeypatch.setattr(pagecache, "_public", dict(pagecache._public))
    pagecache.public(Notice)
    with connection.schema_editor() as editor:
        editor.create_model(Notice)
    try:
        before = current_version()
        notice = Notice.objects.create(text="Closed on Monday")  # its own transaction
        assert current_version() == before + 1
        with transaction.atomic():
            Notice.objects.create(text="Open on Tuesday")
            notice.text = "Closed on Mondays"
            notice.save()
            Notice.objects.update(text="Open every day")
            notice.delete()
        assert current_version() == before + 2
    finally:
        with connection.schema_editor() as editor:
            editor.delete_model(Notice)
