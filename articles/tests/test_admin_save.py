"""The admin's save of a full article (issue 16): quick, few queries, no slow work inside it.

A 12-megapixel phone photo as the hero, 2 tags, 3 FAQs and 3 references: the request
stages the upload and queues the worker's part (cleaning, sizes, search), nothing more.
"""

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles import search, tasks
from articles.models import Article, Category, SearchEntry, Tag
from articles.tests.conftest import photo
from articles.tests.photos import phone_photo
from articles.tests.test_admin import article_form, inline_management
from articles.tests.test_images import assert_clean
from core import tasks as core_tasks

pytestmark = pytest.mark.django_db
ADD = reverse("admin:articles_article_add")


@pytest.fixture(scope="module")
def photo_bytes():
    return phone_photo()


def full_form(category, tags, **overrides):
    """The add form with 2 tags, 3 questions and 3 references."""
    data = article_form(category, **overrides)
    data["tags"] = [tag.pk for tag in tags]
    data |= inline_management("faqs", 3) | inline_management("references", 3)
    for n in range(3):
        data |= {
            f"faqs-{n}-question": f"Question {n} about pacing?",
            f"faqs-{n}-answer": f"Answer **{n}**: rest before you crash.",
            f"faqs-{n}-order": str(n),
            f"references-{n}-citation": f"Study {n}. Journal of Pain 2020.",
            f"references-{n}-doi": f"10.1000/pain{n}",
            f"references-{n}-order": str(n),
        }
    return data


@pytest.fixture
def tags(db):
    return [Tag.objects.create(name=f"Tag {n}", slug=f"tag-{n}") for n in range(2)]


def post_full_article(admin_client, category, tags, photo_bytes):
    data = full_form(category, tags, hero_alt="A calm lake at dawn")
    data["hero_image"] = SimpleUploadedFile("IMG_0001.JPG", photo_bytes, "image/jpeg")
    started = time.perf_counter()
    response = admin_client.post(ADD, data)
    return response, time.perf_counter() - started


def test_a_full_article_with_a_12_megapixel_hero_saves_quickly(
    admin_client, category, tags, photo_bytes, task_queue
):
    """Issue 16's target is under 1 s on the bench machine (`make bench` measures it);
    here the bound is generous, for a busy CI machine."""
    assert len(photo_bytes) > 2_000_000  # a real phone photo's size, not a tiny test picture
    admin_client.get(ADD)  # signed in, caches warm, as for an editor at work
    response, took = post_full_article(admin_client, category, tags, photo_bytes)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert took < 2.0, took
    article = Article.objects.get()
    assert article.faqs.count() == 3 and article.references.count() == 3
    assert article.hero_image.name.startswith("pending/")  # the worker publishes it
    assert "make_renditions" in [queued.task.name for queued in task_queue]


@pytest.mark.search_after_commit
def test_search_is_updated_by_one_task_after_the_save_commits(
    admin_client, django_capture_on_commit_callbacks, task_queue
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        category = Category.objects.create(name="Pacing", slug="pacing")
        tags = [Tag.objects.create(name="Energy", slug="energy")]
        assert admin_client.post(ADD, full_form(category, tags)).status_code == 302
        assert not SearchEntry.objects.exists()  # nothing indexed inside the transaction
        assert not [q for q in task_queue if q.task.name == "reindex"]  # nor queued in it
    for callback in callbacks:  # the transaction commits
        callback()
    [queued] = [q for q in task_queue if q.task.name == "reindex"]
    article = Article.objects.get()
    faqs = list(article.faqs.values_list("pk", flat=True))
    assert sorted(map(tuple, queued.args[0])) == sorted(
        [("articles.Article", article.pk), ("articles.Category", category.pk)]
        + [("articles.FAQ", pk) for pk in faqs]
    )

    tasks.reindex.call(*queued.args)  # what the worker does

    assert set(SearchEntry.objects.values_list("key", flat=True)) == {
        f"article:{article.pk}",
        f"topic:{category.pk}",
        *(f"faq:{pk}" for pk in faqs),
    }
    [first, *_] = search.search("Question 1 about pacing").results
    assert first.url == f"{article.get_absolute_url()}#faq-{min(faqs) + 1}"


@pytest.mark.search_after_commit
def test_a_rolled_back_save_queues_no_search_work(django_capture_on_commit_callbacks, task_queue):
    def article(slug):
        category = Category.objects.create(name=slug, slug=slug)
        return Article.objects.create(
            title=slug, slug=slug, summary="x", body="x", category=category, status="published"
        )

    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            article("gone")
            raise RuntimeError
    assert not [q for q in task_queue if q.task.name == "reindex"]
    with django_capture_on_commit_callbacks(execute=True):
        kept = article("kept")
    [queued] = [q for q in task_queue if q.task.name == "reindex"]
    assert queued.args[0] == [
        ["articles.Category", kept.category_id],
        ["articles.Article", kept.pk],
    ]


@pytest.mark.search_after_commit
def test_a_deleted_article_leaves_search_through_the_task(
    django_capture_on_commit_callbacks, task_queue
):
    with django_capture_on_commit_callbacks(execute=True):
        category = Category.objects.create(name="Sleep", slug="sleep")
        article = Article.objects.create(
            title="Pacing", slug="pacing", summary="x", body="x", category=category,
            status="published",
        )  # fmt: skip
    tasks.reindex.call(*task_queue[-1].args)
    assert SearchEntry.objects.filter(key=f"article:{article.pk}").exists()
    with django_capture_on_commit_callbacks(execute=True):
        Article.objects.get(pk=article.pk).delete()
    assert task_queue[-1].args[0] == [["articles.Article", article.pk]]
    tasks.reindex.call(*task_queue[-1].args)
    assert not SearchEntry.objects.filter(key=f"article:{article.pk}").exists()


def database_tasks():
    """The production queue (django-tasks-db): enqueueing costs what it costs there."""
    from django_tasks_db import DatabaseBackend

    from core.tasks import task_backend

    return task_backend(DatabaseBackend(alias="default", params={"QUEUES": ["default"]}))


@pytest.mark.search_after_commit
def test_the_full_save_stays_within_its_query_budget(
    admin_client, photo_bytes, django_capture_on_commit_callbacks
):
    """The article with a 12 MP hero, 2 tags, 3 FAQs and 3 references, the worker's two
    tasks queued included, measured on a second save as for an editor at work (the first
    fills per-process caches such as content types). Was 89 (search writes, a revision
    serialised three times, a savepoint per model save, a version bump per row saved),
    then 31; now 24.

    Issue 16's budget is 25 in production: the session's user, the form's checks (4), the
    article, one version bump, the slug-redirect check, the tags (3), the questions and
    the references (one INSERT each), the admin's log line, the revision (django-reversion
    reads the tags, questions and references to serialise them, checks the three kinds
    exist, then writes 2 rows) and the two tasks. The test's own transaction turns the
    save's into a savepoint (2 statements more here)."""
    with database_tasks(), django_capture_on_commit_callbacks(execute=True):
        category = Category.objects.create(name="Pacing", slug="pacing")
        tags = [Tag.objects.create(name=f"Tag {n}", slug=f"tag-{n}") for n in range(2)]
    with database_tasks(), django_capture_on_commit_callbacks(execute=True):
        response, _ = post_full_article(admin_client, category, tags, photo_bytes)
    assert response.status_code == 302
    data = full_form(category, tags, title="Pacing, part two", slug="pacing-part-two")
    data |= {"hero_alt": "A quiet path", "hero_image": SimpleUploadedFile(
        "IMG_0002.JPG", photo_bytes, "image/jpeg")}  # fmt: skip
    with CaptureQueriesContext(connection) as queries, database_tasks():
        with django_capture_on_commit_callbacks(execute=True):
            assert admin_client.post(ADD, data).status_code == 302
    sql = [q["sql"] for q in queries.captured_queries]
    queued = [q for q in sql if q.startswith('INSERT INTO "django_tasks_database_dbtaskresult"')]
    assert len(queued) == 2  # the image's preparation, then search once it committed
    # One transaction for the whole save (django-reversion's): here a savepoint, only
    # because the test runs inside a transaction of its own.
    assert [q for q in sql if q.startswith("SAVEPOINT")] == [sql[1]]
    assert sql[-2].startswith("RELEASE SAVEPOINT")  # the last task is queued after commit
    assert len(sql) - 2 <= 25, "\n".join(sql)
    bumps = [q for q in sql if "core_contentversion" in q]
    assert len(bumps) == 1, bumps  # one content-version bump for the whole save
    for table in ("articles_faq", "articles_reference"):  # the inlines: one INSERT each
        assert len([q for q in sql if q.startswith(f'INSERT INTO "{table}"')]) == 1
    article = Article.objects.get(slug="pacing-part-two")
    assert [faq.answer_html for faq in article.faqs.all()] == [
        f"<p>Answer <strong>{n}</strong>: rest before you crash.</p>" for n in range(3)
    ]


def test_the_12_megapixel_hero_is_published_clean_by_the_worker_and_never_shown_before(
    admin_client, category, tags, photo_bytes, task_queue, client, settings
):
    assert b"FibroCam" in photo_bytes and b"Home Street" in photo_bytes  # what must go
    response, _ = post_full_article(admin_client, category, tags, photo_bytes)
    assert response.status_code == 302
    article = Article.objects.get()
    staged = article.hero_image.name
    assert not (settings.MEDIA_ROOT / "articles").exists()  # no byte of it in media yet
    for url in (article.get_absolute_url(), "/", "/articles/"):
        page = client.get(url).content.decode()
        assert staged.split("/")[1].split(".")[0] not in page and "pending/" not in page

    [queued] = [q for q in task_queue if q.task.name == "make_renditions"]
    core_tasks.make_renditions.call(*queued.args)

    article.refresh_from_db()
    assert (article.hero_width, article.hero_height) == (4000, 3000)
    stored = [article.hero_image.name] + [
        r[key] for r in article.hero_renditions for key in ("webp", "original")
    ]
    for name in stored:
        assert_clean(name)
    assert not (settings.UPLOAD_STAGING_ROOT / staged).exists()
    page = client.get(article.get_absolute_url()).content.decode()
    assert article.hero_renditions[-1]["webp"] in page
    assert article.hero_image.name not in page  # pages use the sizes, never the original


def test_product_images_wait_for_the_worker_too_and_come_out_clean(
    admin_client, task_queue, client
):
    from store.models import Product, ProductCategory
    from store.tests.test_admin import ADD as PRODUCT_ADD
    from store.tests.test_admin import product_form

    shop = ProductCategory.objects.create(name="Sleep", slug="sleep")
    data = product_form(shop, alt="A soft eye mask")
    data["image"] = SimpleUploadedFile("mask.jpg", photo(size=(900, 700)), "image/jpeg")
    assert admin_client.post(PRODUCT_ADD, data).status_code == 302
    product = Product.objects.get()
    assert product.image.name.startswith("pending/")
    page = client.get(product.get_absolute_url()).content.decode()
    assert "pending/" not in page and "og:image" not in page
    assert admin_client.get("/admin/store/product/").status_code == 200  # "Being prepared"
    change = admin_client.get(f"/admin/store/product/{product.pk}/change/")
    assert change.status_code == 200 and "pending/" not in change.content.decode()

    [queued] = [q for q in task_queue if q.task.name == "make_renditions"]
    core_tasks.make_renditions.call(*queued.args)

    product.refresh_from_db()
    for name in [product.image.name] + [r["original"] for r in product.renditions]:
        assert_clean(name)
    assert (
        product.renditions[-1]["original"]
        in client.get(product.get_absolute_url()).content.decode()
    )


def test_a_cut_off_phone_photo_is_a_form_error_and_nothing_is_kept(
    admin_client, category, tags, photo_bytes, task_queue, settings
):
    data = full_form(category, tags, hero_alt="A calm lake")
    data["hero_image"] = SimpleUploadedFile("IMG.JPG", photo_bytes[: len(photo_bytes) // 2])
    response = admin_client.post(ADD, data)
    assert response.status_code == 200
    assert "not an image we can read" in response.content.decode()
    assert not Article.objects.exists() and not task_queue
    staged = settings.UPLOAD_STAGING_ROOT / "pending"
    assert not staged.exists() or not any(staged.iterdir())


def test_an_article_deleted_before_the_worker_leaves_nothing_behind(
    admin_client, category, tags, task_queue, settings
):
    data = full_form(category, tags, hero_alt="A calm lake")
    data["hero_image"] = SimpleUploadedFile("IMG.JPG", photo(size=(900, 600)), "image/jpeg")
    assert admin_client.post(ADD, data).status_code == 302
    Article.objects.get().delete()

    [queued] = [q for q in task_queue if q.task.name == "make_renditions"]
    assert core_tasks.make_renditions.call(*queued.args) is None

    assert not any((settings.UPLOAD_STAGING_ROOT / "pending").iterdir())
    assert not (settings.MEDIA_ROOT / "articles").exists()


def test_the_change_page_of_an_article_waiting_for_the_worker_opens(
    admin_client, category, tags, task_queue
):
    data = full_form(category, tags, hero_alt="A calm lake")
    data["hero_image"] = SimpleUploadedFile("IMG.JPG", photo(size=(900, 600)), "image/jpeg")
    assert admin_client.post(ADD, data).status_code == 302
    article = Article.objects.get()
    response = admin_client.get(reverse("admin:articles_article_change", args=[article.pk]))
    assert response.status_code == 200
    assert "pending/" not in response.content.decode()  # no link to the upload as sent
