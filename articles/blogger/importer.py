"""Import a Blogger export: check the whole file, plan, fetch pictures, then write once.

1. scan: read the file to the end (a refused file stops here; nothing is written);
2. plan: match every entry with what an earlier import brought (by Blogger id);
3. pictures: download the ones new or changed posts show (outside any transaction:
   the network is slow and the database should not wait for it);
4. write: posts and pages, then comments, in one transaction.

The file is streamed three times rather than held in memory, so a 200 MB export costs
the memory of one entry at a time plus a small summary per entry.
"""

import os
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone
from django.utils.text import slugify

from articles.blogger import convert, parse
from articles.blogger.fetch import FetchFailed, FetchRefused, fetch
from articles.blogger.parse import COMMENT, DELETED, LIVE, PAGE, POST, ExportError
from articles.models import Article, BloggerItem, Category, SlugRedirect, Tag
from core import images

NEW, UPDATE, SAME, CONFLICT, SKIP = "new", "update", "same", "conflict", "skip"
# An article saved here more than this after our own import was edited by someone.
EDIT_TOLERANCE = timedelta(seconds=2)
ITEM_FIELDS = ("blogger_id", "kind", "article", "comment_id", "path", "source_updated", "synced_at")
FORMAT_NAMES = {"takeout": "Google Takeout feed.atom", "backup": "Back up content file"}


@dataclass
class Planned:
    kind: str
    action: str
    title: str
    status: str = ""
    parent_id: str = ""
    images: list = field(default_factory=list)
    updated: object = None
    labels: list = field(default_factory=list)


@dataclass
class Report:
    format: str = ""
    dry_run: bool = False
    counts: dict = field(default_factory=dict)
    conflicts: list = field(default_factory=list)
    problems: list = field(default_factory=list)

    def add(self, key, number=1):
        self.counts[key] = self.counts.get(key, 0) + number

    def get(self, key):
        return self.counts.get(key, 0)

    def lines(self):
        would = "would be " if self.dry_run else ""
        c = self.get
        lines = [
            f"Blogger export ({FORMAT_NAMES.get(self.format, self.format)})"
            + (": dry run, nothing written" if self.dry_run else ""),
            f"Posts: {c('post_new')} {would}new, {c('post_update')} {would}updated, "
            f"{c('post_same')} unchanged ({c('post_draft')} of the new or updated are drafts), "
            f"{c('post_deleted')} deleted on Blogger and skipped",
            f"Pages: {c('page_new')} {would}new (as drafts to review), "
            f"{c('page_update')} {would}updated, {c('page_same')} unchanged",
            f"Comments: {c('comment_new')} {would}imported, {c('comment_same')} already here, "
            f"{c('comment_skipped')} skipped (deleted, spam, or on a post not imported)",
            f"Tags: {c('tag_new')} {would}created",
        ]
        if self.dry_run:
            lines.append(f"Images: {c('image_planned')} to fetch")
        else:
            lines.append(
                f"Images: {c('image_fetched')} fetched, {c('image_failed')} failed, "
                f"{c('image_refused')} refused (left as links)"
            )
            lines.append(
                f"Old Blogger addresses redirected: {c('redirects')} "
                f"(and {c('redirects_waiting')} more once their drafts are published)"
            )
        lines.append(
            "Conflicts (edited here since the last import; local version kept): "
            f"{len(self.conflicts)}"
        )
        lines += [f"  conflict: {title}" for title in self.conflicts]
        lines += [f"  {problem}" for problem in self.problems]
        return lines

    def text(self):
        return "\n".join(self.lines())


def _noop(stage, done, total):
    pass


def check_size(path):
    size = os.path.getsize(path)
    limit = settings.BLOGGER_IMPORT_MAX_BYTES
    if size > limit:
        raise ExportError(
            f"the file is {size / 1024 / 1024:.0f} MB, larger than any blog export we accept "
            f"({limit / 1024 / 1024:.0f} MB; BLOGGER_IMPORT_MAX_BYTES)"
        )
    if size == 0:
        raise ExportError("the file is empty")
    return size


def scan(path, progress=_noop):
    """Read the whole file once: its format and a light summary of every entry."""
    size = check_size(path)
    summaries = {}
    fmt = ""
    with open(path, "rb") as source:
        for entry in parse.entries(source):
            progress("Reading the export", source.tell(), size)
            fmt = fmt or entry.format
            summaries[entry.blogger_id] = Planned(
                kind=entry.kind,
                action="",
                title=entry.title or "(untitled)",
                status=entry.status,
                parent_id=entry.parent_id,
                images=convert.image_urls(entry.html) if entry.kind != COMMENT else [],
                updated=entry.updated,
                labels=entry.labels,
            )
    return fmt, summaries


def plan(summaries):
    items = (
        BloggerItem.objects.select_related("article")
        .only(*ITEM_FIELDS, "article__id", "article__updated")
        .in_bulk(list(summaries), field_name="blogger_id")
    )
    for blogger_id, planned in summaries.items():
        item = items.get(blogger_id)
        if planned.kind == COMMENT:
            continue
        if planned.status == DELETED:
            planned.action = SKIP
        elif item is None:
            planned.action = NEW
        elif item.article is None:
            planned.action = SAME
        elif planned.updated and item.source_updated and planned.updated > item.source_updated:
            edited_here = item.synced_at and item.article.updated > item.synced_at + EDIT_TOLERANCE
            planned.action = CONFLICT if edited_here else UPDATE
        else:
            planned.action = SAME
    for blogger_id, planned in summaries.items():
        if planned.kind != COMMENT:
            continue
        parent = summaries.get(planned.parent_id)
        parent_here = (parent and parent.action in (NEW, UPDATE, SAME, CONFLICT)) or (
            planned.parent_id in items and items[planned.parent_id].article_id
        )
        if blogger_id in items:
            planned.action = SAME
        elif planned.status != LIVE or not parent_here:
            planned.action = SKIP
        else:
            planned.action = NEW
    return items


def _count_plan(summaries, report):
    for planned in summaries.values():
        if planned.kind == COMMENT:
            key = {NEW: "comment_new", SAME: "comment_same"}.get(planned.action, "comment_skipped")
            report.add(key)
            continue
        if planned.action == SKIP:
            report.add(f"{planned.kind}_deleted")
        elif planned.action == CONFLICT:
            report.conflicts.append(planned.title)
        else:
            report.add(f"{planned.kind}_{planned.action}")
            if planned.kind == POST and planned.action in (NEW, UPDATE) and planned.status != LIVE:
                report.add("post_draft")


def store_image(data):
    """Store downloaded bytes the way the editor's upload does (checked, cleaned, renamed)."""
    return images.store_clean_image(ContentFile(data, name="blogger-image"), "uploads")


def fetch_images(summaries, *, allow_private_hosts, report, progress):
    urls = list(
        dict.fromkeys(
            url
            for planned in summaries.values()
            if planned.action in (NEW, UPDATE)
            for url in planned.images
        )
    )
    sources = {}
    for done, url in enumerate(urls, 1):
        try:
            data = fetch(
                url,
                allow_private=allow_private_hosts,
                timeout=settings.BLOGGER_IMPORT_IMAGE_TIMEOUT,
                max_bytes=images.MAX_UPLOAD_BYTES,
            )
            name = store_image(data)
        except FetchRefused as error:
            report.add("image_refused")
            report.problems.append(f"image refused: {url[:200]} ({error})")
        except FetchFailed as error:
            report.add("image_failed")
            report.problems.append(f"image failed: {url[:200]} ({error})")
        except ValidationError as error:
            report.add("image_failed")
            report.problems.append(
                f"image failed: {url[:200]} (not a usable image: {error.messages[0]})"
            )
        else:
            report.add("image_fetched")
            sources[url] = default_storage.url(name)
        progress("Fetching images", done, len(urls))
    return sources


class _Writer:
    def __init__(self, report):
        self.report = report
        self.default_category = None
        self.author = None
        username = settings.BLOGGER_IMPORT_AUTHOR
        if username:
            self.author = get_user_model().objects.filter(username=username).first()
        self.categories = {c.name.lower(): c for c in Category.objects.all()}
        self.tags = {t.name.lower(): t for t in Tag.objects.all()}

    def category_for(self, labels):
        for label in labels:
            if label.lower() in self.categories:
                return self.categories[label.lower()]
        if self.default_category is None:
            name = settings.BLOGGER_IMPORT_CATEGORY
            self.default_category = Category.objects.filter(name__iexact=name).first()
            if self.default_category is None:
                self.default_category = Category.objects.create(
                    name=name, slug=_unique_slug(Category, slugify(name) or "blog", 80), order=99
                )
        return self.default_category

    def tags_for(self, labels):
        found = []
        for label in labels:
            name = label[:60]
            tag = self.tags.get(name.lower())
            if tag is None:
                tag = Tag.objects.create(
                    name=name, slug=_unique_slug(Tag, slugify(name) or "tag", 60)
                )
                self.tags[name.lower()] = tag
                self.report.add("tag_new")
            found.append(tag)
        return found

    def article(self, entry, planned, item, sources):
        body = convert.to_markdown(entry.html, sources)
        article = Article.objects.get(pk=item.article_id) if item and item.article_id else Article()
        if article.pk is None:
            base = (
                _slug_from_path(entry.path) or slugify(entry.title) or f"blogger-{entry.blogger_id}"
            )
            article.slug = _unique_article_slug(base)
        article.title = entry.title or "(untitled)"
        article.summary = convert.summary(entry.html, article.title)
        article.body = body
        article.category = self.category_for(entry.labels)
        if article.pk is None or entry.kind == POST:
            published = entry.kind == POST and entry.status == LIVE
            article.status = Article.Status.PUBLISHED if published else Article.Status.DRAFT
        article.publish_at = entry.published or timezone.now()
        if article.pk is None:
            article.author = self.author
        try:
            article.render()  # the renderer may refuse a body past its limits (ValueError)
        except ValueError as error:
            self.report.add(f"{entry.kind}_{planned.action}", -1)
            self.report.problems.append(
                f"not imported: {article.title} ({error}); it stays on Blogger: shorten it "
                "there and import again, or paste it here in parts"
            )
            return
        article.save()
        article.tags.set(self.tags_for(entry.labels))
        BloggerItem.objects.update_or_create(
            blogger_id=entry.blogger_id,
            defaults={
                "kind": entry.kind,
                "article": article,
                "path": entry.path[:300],
                "source_updated": entry.updated,
                "synced_at": article.updated,
            },
        )

    def comment(self, entry, article):
        from community.services import comment_import  # community builds on articles

        comment = comment_import(
            article=article,
            name=entry.author,
            body=convert.plain_text(entry.html) or "(empty comment)",
            created=entry.published or timezone.now(),
        )
        BloggerItem.objects.create(
            blogger_id=entry.blogger_id,
            kind=BloggerItem.Kind.COMMENT,
            article=article,
            comment_id=comment.pk,
            source_updated=entry.updated,
        )


def _slug_from_path(path):
    name = path.rsplit("/", 1)[-1].removesuffix(".html") if path else ""
    return slugify(name)[:190]


def _unique_slug(model, base, length):
    base = base[: length - 4]
    slug, n = base, 2
    while model.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _unique_article_slug(base):
    base = base[:190]
    slug, n = base, 2
    while (
        Article.objects.filter(slug=slug).exists()
        or SlugRedirect.objects.filter(old_slug=slug).exists()
    ):
        slug, n = f"{base}-{n}", n + 1
    return slug


class ImportBusy(Exception):
    """Another import wrote the same entries meanwhile; this one saved nothing."""


def write(path, summaries, sources, *, report, progress):
    try:
        with transaction.atomic():
            # Plan again inside the transaction: an import that finished while this one
            # fetched pictures has already brought some entries, which are now unchanged.
            items = plan(summaries)
            _count_plan(summaries, report)
            _write(path, summaries, items, sources, report=report, progress=progress)
    except (IntegrityError, OperationalError) as error:
        raise ImportBusy(
            "another import was writing the same blog at the same time, so nothing from "
            f"this run was saved; run it again ({error.__class__.__name__})"
        ) from None


def _write(path, summaries, items, sources, *, report, progress):
    writer = _Writer(report)
    to_write = sum(1 for p in summaries.values() if p.action in (NEW, UPDATE))
    done = 0
    with open(path, "rb") as source:
        for entry in parse.entries(source):
            planned = summaries.get(entry.blogger_id)
            if entry.kind in (POST, PAGE) and planned and planned.action in (NEW, UPDATE):
                writer.article(entry, planned, items.get(entry.blogger_id), sources)
                done += 1
                progress("Writing posts and pages", done, to_write)
    articles = dict(
        BloggerItem.objects.filter(kind__in=[POST, PAGE], article__isnull=False).values_list(
            "blogger_id", "article_id"
        )
    )
    parents = {p.parent_id for p in summaries.values() if p.kind == COMMENT and p.action == NEW}
    # Only the ids: a comment needs its article's key, not its text.
    by_id = Article.objects.only("id").in_bulk({articles[p] for p in parents if p in articles})
    with open(path, "rb") as source:
        for entry in parse.entries(source):
            planned = summaries.get(entry.blogger_id)
            if entry.kind == COMMENT and planned and planned.action == NEW:
                article = by_id.get(articles.get(entry.parent_id))
                if article is not None:
                    writer.comment(entry, article)
    addresses = BloggerItem.objects.filter(kind__in=[POST, PAGE], article__isnull=False).exclude(
        path=""
    )
    live = addresses.filter(article__in=Article.objects.published()).count()
    report.add("redirects", live)
    report.add("redirects_waiting", addresses.count() - live)


def run(path, *, dry_run=False, allow_private_hosts=False, progress=_noop):
    """Import the export at `path`; returns a Report. Raises ExportError for a refused file."""
    fmt, summaries = scan(path, progress)
    plan(summaries)
    report = Report(format=fmt, dry_run=dry_run)
    if dry_run:
        _count_plan(summaries, report)
        known = {name.lower() for name in Tag.objects.values_list("name", flat=True)}
        wanted = {
            label[:60].lower()
            for p in summaries.values()
            if p.action in (NEW, UPDATE)
            for label in p.labels
        }
        report.add("tag_new", len(wanted - known))
        report.add(
            "image_planned",
            len({u for p in summaries.values() if p.action in (NEW, UPDATE) for u in p.images}),
        )
        return report
    sources = fetch_images(
        summaries, allow_private_hosts=allow_private_hosts, report=report, progress=progress
    )
    write(path, summaries, sources, report=report, progress=progress)
    return report


__all__ = ["ExportError", "ImportBusy", "Report", "run"]
