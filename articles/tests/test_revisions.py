"""Every admin save keeps a revision; any two can be compared; one click restores one."""

from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.urls import reverse
from reversion.models import Version

from articles.models import Article, Category
from articles.tests.conftest import upload
from articles.tests.test_admin import article_form, inline_management
from core.images import published_name
from core.tasks import make_renditions

pytestmark = pytest.mark.django_db

ADD = reverse("admin:articles_article_add")


@pytest.fixture
def edited(admin_client, admin_user, category):
    """An article saved three times: added, then a FAQ and new text, then a new title."""
    admin_user.first_name, admin_user.last_name = "Ana", "Editor"
    admin_user.save()
    assert admin_client.post(ADD, article_form(category, body="Rest **first**.")).status_code == 302
    article = Article.objects.get()
    change = reverse("admin:articles_article_change", args=[article.pk])
    second = article_form(
        category,
        body="Rest first, then walk for ten minutes.",
        **{
            **inline_management("faqs", 1),
            "faqs-0-question": "How far?",
            "faqs-0-answer": "Ten minutes.",
            "faqs-0-order": "0",
        },
    )
    assert admin_client.post(change, second).status_code == 302
    faq = article.faqs.get()
    third = article_form(
        category,
        title="Pacing, step by step",
        body="Rest first, then walk for ten minutes.",
        **{
            **inline_management("faqs", 1),
            "faqs-INITIAL_FORMS": "1",
            "faqs-0-id": str(faq.pk),
            "faqs-0-article": str(article.pk),
            "faqs-0-question": "How far?",
            "faqs-0-answer": "Ten minutes.",
            "faqs-0-order": "0",
        },
    )
    assert admin_client.post(change, third).status_code == 302
    return article


def versions(article):
    return list(Version.objects.get_for_object(article).select_related("revision__user"))


def test_every_save_keeps_a_revision_with_who_and_when(admin_client, edited, admin_user):
    kept = versions(edited)
    assert len(kept) == 3 and all(v.revision.user == admin_user for v in kept)
    # The FAQ travels with the article in the same revision.
    assert kept[0].revision.version_set.filter(content_type__model="faq").exists()
    html = admin_client.get(reverse("admin:articles_article_history", args=[edited.pk])).content
    html = html.decode()
    assert html.count("Ana Editor") == 3 and "(current)" in html
    assert html.count(">Restore</button>") == 2


def test_any_two_revisions_are_compared_as_readable_text(admin_client, edited):
    newest, _, oldest = versions(edited)
    url = reverse("admin:articles_article_compare", args=[edited.pk])
    html = admin_client.get(url, {"version_id1": oldest.pk, "version_id2": newest.pk}).content
    html = html.decode()
    assert "<ins>" in html and "<del>" in html
    assert "walk for ten minutes" in html and "Pacing, step by step" in html


def test_restore_brings_back_text_and_faqs_as_a_new_revision(admin_client, edited, client):
    newest, _, oldest = versions(edited)
    url = reverse("admin:articles_article_restore", args=[edited.pk, oldest.pk])
    assert admin_client.get(url).status_code == 405
    response = admin_client.post(url, follow=True)
    assert "is back as it was on" in response.content.decode()
    article = Article.objects.get(pk=edited.pk)
    assert article.title == "Pacing on bad days" and article.body == "Rest **first**."
    assert article.body_html == "<p>Rest <strong>first</strong>.</p>"  # rendered again
    assert not article.faqs.exists()
    latest = versions(article)[0]
    assert len(versions(article)) == 4 and latest.revision.comment.startswith("Restored the")
    # The restored text is what readers get, at once (the cached page is dropped).
    assert "Rest <strong>first</strong>." in client.get(article.get_absolute_url()).content.decode()
    # Restoring the newest again undoes the restore.
    admin_client.post(reverse("admin:articles_article_restore", args=[edited.pk, newest.pk]))
    assert Article.objects.get(pk=edited.pk).title == "Pacing, step by step"
    assert Article.objects.get(pk=edited.pk).faqs.get().question == "How far?"


def test_restore_needs_change_permission_and_a_version_of_this_article(
    client, django_user_model, edited, make_article
):
    _, _, oldest = versions(edited)
    viewer = django_user_model.objects.create_user("viewer", password="pw", is_staff=True)
    viewer.user_permissions.set(Permission.objects.filter(codename="view_article"))
    client.force_login(viewer)
    url = reverse("admin:articles_article_restore", args=[edited.pk, oldest.pk])
    assert client.post(url).status_code == 403
    other = make_article()
    client.force_login(django_user_model.objects.create_superuser("boss", password="pw"))
    wrong = reverse("admin:articles_article_restore", args=[other.pk, oldest.pk])
    assert client.post(wrong).status_code == 404
    assert Article.objects.get(pk=edited.pk).title == "Pacing, step by step"


def test_restoring_an_older_address_keeps_the_newer_one_working(admin_client, category, client):
    assert admin_client.post(ADD, article_form(category, slug="first-address")).status_code == 302
    article = Article.objects.get()
    change = reverse("admin:articles_article_change", args=[article.pk])
    admin_client.post(change, article_form(category, slug="second-address"))
    oldest = versions(article)[-1]
    admin_client.post(reverse("admin:articles_article_restore", args=[article.pk, oldest.pk]))
    assert Article.objects.get().slug == "first-address"
    assert client.get("/articles/second-address/")["Location"] == "/articles/first-address/"
    assert client.get("/articles/first-address/").status_code == 200


def test_a_version_whose_image_is_gone_is_not_restored_half_way(admin_client, category):
    data = article_form(category, hero_image=upload(size=(900, 500)), hero_alt="A calm lake")
    assert admin_client.post(ADD, data).status_code == 302
    article = Article.objects.get()
    change = reverse("admin:articles_article_change", args=[article.pk])
    admin_client.post(
        change, article_form(category, title="New title", **{"hero_image-clear": "on"})
    )
    oldest = versions(article)[-1]
    # The version recorded the upload as staged for the worker; its published copy is gone.
    field = Article._meta.get_field("hero_image")
    Path(settings.MEDIA_ROOT, published_name(field, oldest.field_dict["hero_image"].name)).unlink()
    response = admin_client.post(
        reverse("admin:articles_article_restore", args=[article.pk, oldest.pk]), follow=True
    )
    assert (
        "could not be restored: an image it used is no longer stored" in response.content.decode()
    )
    assert Article.objects.get().title == "New title" and not Article.objects.get().hero_image
    assert len(versions(article)) == 2


def test_a_version_saved_with_a_fresh_upload_restores_its_published_image(
    admin_client, category, client, task_queue
):
    data = article_form(category, hero_image=upload(size=(900, 500)), hero_alt="A calm lake")
    assert admin_client.post(ADD, data).status_code == 302
    oldest = versions(Article.objects.get())[-1]
    assert oldest.field_dict["hero_image"].name.startswith("pending/")  # before the worker ran
    [queued] = [q for q in task_queue if q.task.name == "make_renditions"]
    make_renditions.call(*queued.args)
    article = Article.objects.get()
    published = article.hero_image.name
    assert published.startswith("articles/")
    change = reverse("admin:articles_article_change", args=[article.pk])
    admin_client.post(
        change, article_form(category, title="New title", **{"hero_image-clear": "on"})
    )

    admin_client.post(reverse("admin:articles_article_restore", args=[article.pk, oldest.pk]))

    restored = Article.objects.get()
    assert restored.hero_image.name == published and restored.title == "Pacing on bad days"
    assert '<figure class="hero">' in client.get(restored.get_absolute_url()).content.decode()


def test_text_differences_are_word_by_word_and_escaped():
    from articles.diffs import word_diff

    html = word_diff(
        "Go to bed at the same time every night.", "Go to bed whenever <you> like, every night."
    )
    assert html == (
        '<pre class="highlight">Go to bed <del>at the same time </del><ins>whenever &lt;you&gt; '
        "like, </ins>every night.</pre>"
    )


def test_restore_brings_back_questions_with_their_answers_shown(admin_client, edited, client):
    newest, middle, oldest = versions(edited)
    restore = reverse("admin:articles_article_restore", args=[edited.pk, oldest.pk])
    admin_client.post(restore)
    assert not edited.faqs.exists()
    admin_client.post(reverse("admin:articles_article_restore", args=[edited.pk, newest.pk]))
    faq = edited.faqs.get()
    assert faq.answer_html == "<p>Ten minutes.</p>"  # rendered again, not left empty
    Article.objects.filter(pk=edited.pk).update(status="published")
    assert "Ten minutes." in client.get(edited.get_absolute_url()).content.decode()


def test_restoring_an_article_leaves_its_shared_category_as_it_is_now(
    admin_client, edited, category
):
    """A category is shared by many articles: an old revision that holds a copy of it (as
    revisions made before they stopped following categories do) must not rename it back."""
    oldest = versions(edited)[-1]
    Version.objects.create(
        revision=oldest.revision,
        object_id=str(category.pk),
        content_type=ContentType.objects.get_for_model(category),
        db="default",
        format="json",
        serialized_data=serializers.serialize("json", [category]),
        object_repr=str(category),
    )
    category.name = "Pacing and rest"  # renamed since, for every article in it
    category.save()
    response = admin_client.post(
        reverse("admin:articles_article_restore", args=[edited.pk, oldest.pk]), follow=True
    )
    assert "is back as it was on" in response.content.decode()
    assert Article.objects.get(pk=edited.pk).body == "Rest **first**."
    category.refresh_from_db()
    assert category.name == "Pacing and rest"
    # New revisions keep which category the article had, not a copy of it.
    kinds = {v.content_type.model for v in versions(edited)[0].revision.version_set.all()}
    assert kinds == {"article"}


def test_a_version_whose_category_was_deleted_is_refused_with_nothing_changed(
    admin_client, category
):
    assert admin_client.post(ADD, article_form(category, title="First")).status_code == 302
    article = Article.objects.get()
    elsewhere = Category.objects.create(name="Sleep", slug="sleep")
    change = reverse("admin:articles_article_change", args=[article.pk])
    assert admin_client.post(change, article_form(elsewhere, title="Second")).status_code == 302
    oldest = versions(article)[-1]
    category.delete()  # no article is filed under it any more
    response = admin_client.post(
        reverse("admin:articles_article_restore", args=[article.pk, oldest.pk]), follow=True
    )
    page = response.content.decode()
    assert "could not be restored: its category has since been deleted." in page
    article.refresh_from_db()
    assert (article.title, article.category) == ("Second", elsewhere)
    assert len(versions(article)) == 2  # no revision for a restore that didn't happen


def test_saving_the_historys_preview_of_an_old_version_restores_it(admin_client, edited):
    """The history links each save to django-reversion's preview of it; its Save button
    restores that version as Restore does (it used to fail with no revision open)."""
    oldest = versions(edited)[-1]
    url = reverse("admin:articles_article_revision", args=[edited.pk, oldest.pk])
    preview = admin_client.get(url)
    assert preview.status_code == 200 and "Rest **first**." in preview.content.decode()
    assert Article.objects.get(pk=edited.pk).title == "Pacing, step by step"  # only a preview
    response = admin_client.post(url, article_form(Category.objects.get()), follow=True)
    assert "is back as it was on" in response.content.decode()
    article = Article.objects.get(pk=edited.pk)
    assert article.title == "Pacing on bad days" and not article.faqs.exists()
    assert versions(article)[0].revision.comment.startswith("Restored the version of")


@pytest.mark.django_db(transaction=True)
def test_a_version_whose_tag_and_staff_account_were_deleted_restores_without_them(
    admin_client, category, django_user_model
):
    """Committed for real: foreign keys are checked at commit, where a restored row that
    pointed at a deleted tag or account would fail."""
    from articles.models import Tag

    kept, gone = (Tag.objects.create(name=n, slug=n.lower()) for n in ("Sleep", "Pain"))
    assert admin_client.post(ADD, article_form(category, title="First")).status_code == 302
    article = Article.objects.get()
    departed = django_user_model.objects.create_user("departed", password="pw", is_staff=True)
    Article.objects.filter(pk=article.pk).update(author=departed)
    change = reverse("admin:articles_article_change", args=[article.pk])
    data = article_form(category, title="Second", tags=[kept.pk, gone.pk])
    assert admin_client.post(change, data).status_code == 302
    assert admin_client.post(change, article_form(category, title="Third")).status_code == 302
    second = versions(article)[1]
    gone.delete()
    departed.delete()
    response = admin_client.post(
        reverse("admin:articles_article_restore", args=[article.pk, second.pk]), follow=True
    )
    assert "is back as it was on" in response.content.decode()
    article.refresh_from_db()
    assert article.title == "Second" and article.author is None
    assert list(article.tags.all()) == [kept]


def test_a_deleted_article_is_recovered_from_its_last_version(admin_client, category):
    assert admin_client.post(ADD, article_form(category, title="Gone for now")).status_code == 302
    article = Article.objects.get()
    [version] = versions(article)
    pk = article.pk
    article.delete()
    url = reverse("admin:articles_article_recover", args=[version.pk])
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(url, article_form(category, title="Gone for now"))
    assert response.status_code == 302, response.context and response.context["errors"]
    recovered = Article.objects.get(pk=pk)
    assert recovered.title == "Gone for now"
    assert len(versions(recovered)) == 2  # the recovery is itself a revision
