import hashlib
import re
from datetime import timedelta
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator, URLValidator
from django.db import models, transaction
from django.db.models import Count, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from markdownx.models import MarkdownxField
from model_utils import FieldTracker

from core import markdown
from core.images import ValidatedImageField, refresh_renditions, saved_name
from core.pagecache import PublicQuerySet

HERO_WIDTHS = (480, 800, 1200)
BODY_WIDTHS = HERO_WIDTHS  # images in the text fill the same column as the hero
PHOTO_WIDTHS = (160, 320)
SOCIAL_WIDTHS = (1200,)
# What the editor's upload puts in ![…](…) (articles/editor.py), and words that describe
# nothing; an image with these, or with only a file name, is not described yet.
ALT_PLACEHOLDER = "Describe this image"
MEANINGLESS_ALT = {ALT_PLACEHOLDER.lower(), "image", "picture", "photo", "img", "alt"}
FILE_NAME_ALT = re.compile(r"^[\w .-]+\.(jpe?g|png|webp|gif|heic)$", re.IGNORECASE)


def alt_missing(alt):
    text = " ".join((alt or "").split()).strip(" .")
    return not text or text.lower() in MEANINGLESS_ALT or bool(FILE_NAME_ALT.match(text))


def image_label(src):
    """A short, recognisable name for an image in a message: its file name."""
    return PurePosixPath(urlsplit(src).path).name or src[:60] or "(no address)"


class Category(models.Model):
    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(
        blank=True, help_text="One or two sentences shown on the category page."
    )
    order = models.PositiveSmallIntegerField(default=0, help_text="Lower numbers come first.")

    objects = PublicQuerySet.as_manager()

    class Meta:
        ordering = ["order", "name"]
        verbose_name_plural = "categories"

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("articles:category", args=[self.slug])


class Tag(models.Model):
    name = models.CharField(max_length=60, unique=True)
    slug = models.SlugField(max_length=60, unique=True)

    objects = PublicQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("articles:tag", args=[self.slug])


def validate_links(text):
    for line in text.splitlines():
        if line.strip():
            URLValidator(
                schemes=["http", "https"],
                message=f"“{line.strip()[:80]}” is not a web address (https://…).",
            )(line.strip())


class Person(models.Model):
    """An author or medical reviewer as readers see them: never a login name."""

    name = models.CharField(max_length=120, help_text="As shown in bylines, e.g. 'Ana Ruiz'.")
    slug = models.SlugField(
        max_length=120, unique=True, help_text="The profile's web address: /authors/<slug>/."
    )
    credentials = models.CharField(
        max_length=120, blank=True, help_text="Shown after the name, e.g. 'MD, FRCP'."
    )
    role = models.CharField(
        max_length=120,
        blank=True,
        help_text="e.g. 'Consultant rheumatologist' or 'Health writer living with fibromyalgia'.",
    )
    bio = models.TextField(
        "short bio", max_length=1500, blank=True, help_text="A few sentences, plain text."
    )
    photo = ValidatedImageField(
        upload_to="people",
        blank=True,
        width_field="photo_width",
        height_field="photo_height",
        help_text="Optional. JPEG, PNG or WebP, up to 5 MB; a square face photo works best.",
    )
    photo_width = models.PositiveIntegerField(editable=False, null=True)
    photo_height = models.PositiveIntegerField(editable=False, null=True)
    photo_renditions = models.JSONField(editable=False, default=list)
    links = models.TextField(
        blank=True,
        validators=[validate_links],
        help_text="Pages about this person (clinic page, professional register), one per line.",
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="person",
        help_text="Their staff account, if they have one: articles they add get this profile.",
    )

    objects = PublicQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = "author or reviewer"
        verbose_name_plural = "authors and reviewers"

    def __str__(self):
        return self.display_name

    tracker = FieldTracker(fields=["photo"])  # what the database held, to notice changes

    def save(self, *args, **kwargs):
        previous = saved_name(self, "photo")
        with transaction.atomic(savepoint=False):  # one transaction with the caller's
            super().save(*args, **kwargs)
            refresh_renditions(self, "photo", "photo_renditions", PHOTO_WIDTHS, previous)

    def get_absolute_url(self):
        return reverse("articles:author", args=[self.slug])

    @property
    def display_name(self):
        return f"{self.name}, {self.credentials}" if self.credentials else self.name

    @property
    def link_list(self):
        return [line.strip() for line in self.links.splitlines() if line.strip()]

    @property
    def labelled_links(self):
        """(address, site name) pairs: a long address would not fit a phone's width."""
        return [(url, urlsplit(url).hostname.removeprefix("www.")) for url in self.link_list]


class SearchResults:
    """Search matches in rank order, as a sequence a Paginator can count and slice."""

    def __init__(self, queryset, ids):
        self.queryset, self.ids = queryset, ids

    def __len__(self):
        return len(self.ids)

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self.queryset.get(pk=self.ids[index])
        ids = self.ids[index]
        found = self.queryset.in_bulk(ids)
        return [found[pk] for pk in ids if pk in found]

    def __iter__(self):
        return iter(self[:])


class ArticleQuerySet(PublicQuerySet):
    def published(self):
        return self.filter(status=Article.Status.PUBLISHED, publish_at__lte=timezone.now())

    def visible_to(self, user):
        """Staff may preview drafts and scheduled articles; everyone else sees published ones."""
        if user.is_active and user.is_staff:
            return self.all()
        return self.published()

    def related_to(self, article, tag_ids):
        """Same category or shared tags, the most shared tags first."""
        return (
            self.filter(Q(category_id=article.category_id) | Q(tags__in=tag_ids))
            .exclude(pk=article.pk)
            .annotate(shared=Count("tags", filter=Q(tags__in=tag_ids), distinct=True))
            .order_by("-shared", "-publish_at")
        )

    def due_for_review(self, today=None):
        """Published articles whose last medical review is older than MEDICAL_REVIEW_MONTHS,
        the longest overdue first."""
        today = today or timezone.localdate()
        cutoff = today - relativedelta(months=settings.MEDICAL_REVIEW_MONTHS)
        return self.published().filter(last_reviewed__lte=cutoff).order_by("last_reviewed")

    def next_scheduled_at(self, after=None):
        """When the next scheduled article goes live (cached pages must not outlive it)."""
        return (
            self.filter(status=Article.Status.PUBLISHED, publish_at__gt=after or timezone.now())
            .order_by("publish_at")
            .values_list("publish_at", flat=True)
            .first()
        )

    def with_neighbours(self):
        """Annotate the next newer and older published article (title, slug) in one query."""
        published = Article.objects.published()
        newer = published.filter(publish_at__gt=OuterRef("publish_at")).order_by("publish_at")
        older = published.filter(publish_at__lt=OuterRef("publish_at")).order_by("-publish_at")
        return self.annotate(
            newer_slug=Subquery(newer.values("slug")[:1]),
            newer_title=Subquery(newer.values("title")[:1]),
            older_slug=Subquery(older.values("slug")[:1]),
            older_title=Subquery(older.values("title")[:1]),
        )

    def for_listing(self):
        """What a card needs, without the heavy text columns."""
        return self.select_related("category").defer("body", "body_html", "body_renditions", "toc")


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        # Was public once, taken down on purpose (kept apart from drafts never shown).
        UNPUBLISHED = "unpublished", "Unpublished"

    title = models.CharField(max_length=200)
    slug = models.SlugField(
        max_length=200,
        unique=True,
        help_text="The web address. Changing it later keeps the old address working.",
    )
    summary = models.TextField(
        "key points",
        max_length=1200,
        help_text="One key point per line. Shown at the top of the article and in search results.",
    )
    body = MarkdownxField(
        max_length=markdown.MAX_CHARS,
        validators=[markdown.validate_markdown],
        help_text=(
            "Markdown. Use ## for section headings; drag images into the box to upload them. "
            "For a callout, start a quote with [!WARNING], [!NOTE] or [!TIP], a title may "
            "follow: “> [!WARNING] Opioids and LDN”, then the text on the next “> ” lines."
        ),
    )
    body_html = models.TextField(editable=False, default="")
    # The sizes the worker made of each image in the text: {storage name: renditions}
    # (articles/tasks.py make_body_renditions); body_html serves them once they exist.
    body_renditions = models.JSONField(editable=False, default=dict)
    toc = models.JSONField(editable=False, default=list)
    reading_minutes = models.PositiveSmallIntegerField(editable=False, default=1)

    hero_image = ValidatedImageField(
        upload_to="articles",
        blank=True,
        width_field="hero_width",
        height_field="hero_height",
        help_text="JPEG, PNG or WebP, up to 5 MB. Landscape works best.",
    )
    hero_width = models.PositiveIntegerField(editable=False, null=True)
    hero_height = models.PositiveIntegerField(editable=False, null=True)
    hero_alt = models.CharField(
        "hero image description",
        max_length=250,
        blank=True,
        help_text="What the image shows, for people who can't see it. Required with an image.",
    )
    hero_renditions = models.JSONField(editable=False, default=list)

    meta_description = models.CharField(
        "search and sharing description",
        max_length=160,
        blank=True,
        help_text="One or two sentences shown by search engines and on shared links (160 "
        "characters at most). Empty: the key points are used.",
    )
    social_image = ValidatedImageField(
        "sharing image",
        upload_to="social",
        blank=True,
        width_field="social_width",
        height_field="social_height",
        help_text="Shown when the article is shared (1200 x 630 px works best). Empty: the hero "
        "image is used.",
    )
    social_width = models.PositiveIntegerField(editable=False, null=True)
    social_height = models.PositiveIntegerField(editable=False, null=True)
    social_alt = models.CharField(
        "sharing image description", max_length=250, blank=True,
        help_text="What the sharing image shows. Required with a sharing image.",
    )  # fmt: skip
    social_renditions = models.JSONField(editable=False, default=list)

    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="articles")
    tags = models.ManyToManyField(Tag, blank=True, related_name="articles")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="added by",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="articles",
        help_text="The staff account that created the article (never shown on the site).",
    )
    written_by = models.ForeignKey(
        Person,
        verbose_name="author",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="articles_written",
        help_text="Shown in the byline with a link to their profile. Empty: 'FibroSite editors'.",
    )
    reviewed_by = models.ForeignKey(
        Person,
        verbose_name="medical reviewer",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="articles_reviewed",
        help_text="The clinician who checked this article. Leave empty if none.",
    )
    last_reviewed = models.DateField(null=True, blank=True)

    status = models.CharField(
        max_length=12,
        choices=Status,
        default=Status.DRAFT,
        help_text="Published with a publish date in the future means scheduled.",
    )
    publish_at = models.DateTimeField(
        "publish date",
        default=timezone.now,
        help_text="A date in the future schedules the article: it appears by itself then.",
    )
    featured = models.BooleanField(default=False, help_text="Show on the home page.")
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    objects = ArticleQuerySet.as_manager()
    # What the database held when loaded, to notice changes on save.
    tracker = FieldTracker(fields=["slug", "hero_image", "social_image", "status", "publish_at"])

    class Meta:
        ordering = ["-publish_at", "-id"]
        indexes = [models.Index(fields=["status", "publish_at"], name="article_published_idx")]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.render()
        old_slug = self.tracker.previous("slug")
        old_hero, old_social = saved_name(self, "hero_image"), saved_name(self, "social_image")
        if self._going_live_now():
            # A draft published today goes out today (feeds, digests), not on the day
            # it was first drafted. A date the editor set on purpose is kept.
            self.publish_at = timezone.now()
        with transaction.atomic(savepoint=False):  # one transaction with the caller's
            super().save(*args, **kwargs)
            if old_slug and old_slug != self.slug:
                SlugRedirect.objects.update_or_create(old_slug=old_slug, defaults={"article": self})
            if old_slug != self.slug:  # an address another article once had
                SlugRedirect.objects.filter(old_slug=self.slug).delete()
            refresh_renditions(self, "hero_image", "hero_renditions", HERO_WIDTHS, old_hero)
            refresh_renditions(self, "social_image", "social_renditions", SOCIAL_WIDTHS, old_social)
            self._resize_body_images()

    def get_absolute_url(self):
        return reverse("articles:detail", args=[self.slug])

    def _going_live_now(self):
        return (
            self.tracker.previous("status") in (self.Status.DRAFT, self.Status.UNPUBLISHED)
            and self.status == self.Status.PUBLISHED
            and self.publish_at == self.tracker.previous("publish_at")
            and self.publish_at <= timezone.now()
        )

    def _resize_body_images(self):
        """Have the worker resize the text's images that have no sizes yet (queued in the
        save's transaction); the page shows the stored originals until then."""
        from django.tasks import TaskResultStatus

        from articles.tasks import make_body_renditions  # the task module imports this one

        missing = [name for name in self._body_images if name not in self.body_renditions]
        if not missing:
            return
        result = make_body_renditions.enqueue(self.pk, missing)
        if result.status == TaskResultStatus.SUCCESSFUL and result.return_value:  # the tests
            self.body_html = result.return_value["html"]
            self.body_renditions = result.return_value["renditions"]

    def undescribed_images(self):
        """Messages naming each image (hero, then the body's) that still lacks a description."""
        problems = {}
        if self.hero_image and alt_missing(self.hero_alt):
            problems["hero_alt"] = [
                f"Describe the hero image ({image_label(self.hero_image.name)}) for readers "
                "who can't see it."
                + (f" “{self.hero_alt.strip()}” is not a description." if self.hero_alt else "")
            ]
        try:
            found = markdown.images(self.body)
        except markdown.TooComplex:
            found = []  # the body's own validator explains that
        body = []
        for number, (alt, src) in enumerate(found, start=1):
            if alt_missing(alt):
                said = f"says “{alt.strip()}”" if alt.strip() else "has no description"
                body.append(
                    f"Image {number} in the text ({image_label(src)}) {said}: write what it "
                    "shows between the square brackets, ![like this](…), before publishing."
                )
        if body:
            problems["body"] = body
        return problems

    def clean(self):
        if self.social_image and not self.social_alt.strip():
            raise ValidationError(
                {"social_alt": "Please describe the sharing image for people who can't see it."}
            )
        if self.hero_image and not self.hero_alt.strip():
            raise ValidationError(
                {"hero_alt": "Please describe the image for readers who can't see it."}
            )
        # Readers who can't see an image get only its description: nothing goes out
        # (published or scheduled) while one is missing or still the upload's placeholder.
        if self.status == self.Status.PUBLISHED:
            problems = self.undescribed_images()
            if problems:
                raise ValidationError(problems)
        if self.reviewed_by_id and not self.last_reviewed:
            raise ValidationError(
                {"last_reviewed": "Add the date of the medical review, or clear the reviewer."}
            )

    @property
    def next_review_due(self):
        if not self.last_reviewed:
            return None
        return self.last_reviewed + relativedelta(months=settings.MEDICAL_REVIEW_MONTHS)

    @property
    def is_scheduled(self):
        return self.status == self.Status.PUBLISHED and self.publish_at > timezone.now()

    @property
    def is_live(self):
        return self.status == self.Status.PUBLISHED and self.publish_at <= timezone.now()

    EDITORIAL_TEAM = "FibroSite editors"

    @property
    def author_name(self):
        """The byline: the author's profile name, else the team. A login name is never
        shown: it is half of what an attacker needs to sign in."""
        return self.written_by.name if self.written_by else self.EDITORIAL_TEAM

    @property
    def reviewer_name(self):
        return self.reviewed_by.display_name if self.reviewed_by else ""

    @property
    def key_points(self):
        return [line.strip(" -*•\t") for line in self.summary.splitlines() if line.strip(" -*•\t")]

    @property
    def description(self):
        """Plain text for meta descriptions and sharing cards: the editor's own, else the
        key points, shortened."""
        if self.meta_description.strip():
            return self.meta_description.strip()
        text = " ".join(self.key_points)
        return text if len(text) <= 160 else text[:157].rsplit(" ", 1)[0] + "…"

    @property
    def show_toc(self):
        return len(self.toc) >= 3

    _body_images = ()

    def render(self):
        rendered = markdown.render(self.body, self.body_renditions)
        self.body_html = rendered.html
        self.toc = rendered.toc
        self.reading_minutes = rendered.reading_minutes
        # Sizes of images taken out of the text are forgotten (clean_media removes them).
        self.body_renditions = {
            name: self.body_renditions[name]
            for name in rendered.images
            if name in self.body_renditions
        }
        self._body_images = rendered.images


class SlugRedirect(models.Model):
    """An address an article used to have; visits are sent on with a 301."""

    old_slug = models.SlugField(max_length=200, unique=True)
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="old_slugs")

    def __str__(self):
        return f"{self.old_slug} → {self.article.slug}"


class FAQQuerySet(PublicQuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        """As save() does for one: each answer's HTML is rendered from its markdown."""
        objs = list(objs)
        for faq in objs:
            faq.render_answer()
        return super().bulk_create(objs, *args, **kwargs)

    bulk_create.alters_data = True


class FAQ(models.Model):
    article = models.ForeignKey(
        Article,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="faqs",
        help_text="Leave empty for a site-wide question shown on the FAQ page.",
    )
    category = models.ForeignKey(
        Category,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="faqs",
        help_text="Groups site-wide questions on the FAQ page.",
    )
    question = models.CharField(max_length=300)
    answer = MarkdownxField(validators=[markdown.validate_markdown])
    answer_html = models.TextField(editable=False, default="")
    order = models.PositiveSmallIntegerField(default=0)

    objects = FAQQuerySet.as_manager()

    class Meta:
        ordering = ["order", "id"]
        verbose_name = "FAQ"
        verbose_name_plural = "FAQs"

    def __str__(self):
        return self.question

    def save(self, *args, **kwargs):
        self.render_answer()
        super().save(*args, **kwargs)

    def render_answer(self):
        self.answer_html = markdown.render(self.answer).html


doi_validator = RegexValidator(
    r"^10\.\d{4,9}/\S+$", "A DOI looks like 10.1234/abcd (without https://doi.org/)."
)
pmid_validator = RegexValidator(r"^\d{1,9}$", "A PubMed ID is a number (digits only).")


class Reference(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="references")
    citation = models.TextField(
        max_length=600, help_text="Authors, title, journal, year, as you would cite it."
    )
    url = models.URLField("link", blank=True, max_length=500)
    doi = models.CharField("DOI", max_length=120, blank=True, validators=[doi_validator])
    pmid = models.CharField("PubMed ID", max_length=12, blank=True, validators=[pmid_validator])
    order = models.PositiveSmallIntegerField(default=0)

    objects = PublicQuerySet.as_manager()

    class Meta:
        ordering = ["order", "id"]

    def __str__(self):
        return self.citation[:80]

    @property
    def doi_url(self):
        return f"https://doi.org/{self.doi}" if self.doi else ""

    @property
    def pubmed_url(self):
        return f"https://pubmed.ncbi.nlm.nih.gov/{self.pmid}/" if self.pmid else ""


REVIEW_LINK_DAYS = 14


def review_link_expiry():
    days = getattr(settings, "REVIEW_LINK_DAYS", REVIEW_LINK_DAYS)  # configurable
    return timezone.now() + timedelta(days=days)


def token_digest(token):
    return hashlib.sha256(token.encode()).hexdigest()


class ReviewLinkQuerySet(models.QuerySet):
    def for_token(self, token):
        """The link a secret address holds, or None. Only the digest is stored."""
        if not token or len(token) > 100:
            return None
        return self.select_related("article").filter(token_digest=token_digest(token)).first()


class ReviewLink(models.Model):
    """A secret address to a draft's preview for a reviewer without an account."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="review_links")
    reviewer = models.CharField(
        "for",
        max_length=120,
        help_text="Who gets it, e.g. 'Dr Kim Lee, rheumatologist'. Only editors see this.",
    )
    expires_at = models.DateTimeField(
        "works until",
        default=review_link_expiry,
        help_text=f"{REVIEW_LINK_DAYS} days from now unless you choose otherwise.",
    )
    token_digest = models.CharField(max_length=64, unique=True, editable=False)
    created = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, editable=False
    )
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_opened_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ReviewLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-created"]

    def __str__(self):
        return f"Review link for {self.reviewer}"

    @property
    def is_active(self):
        return self.revoked_at is None and self.expires_at > timezone.now()


class BloggerItem(models.Model):
    """A post, page or comment brought over from Blogger, matched by its Blogger id.

    Makes the import safe to repeat and keeps the old Blogger address (`path`) so it
    can answer with a 301 (articles/blogger/views.py).
    """

    class Kind(models.TextChoices):
        POST = "post", "Post"
        PAGE = "page", "Page"
        COMMENT = "comment", "Comment"

    blogger_id = models.CharField(max_length=40, unique=True)
    kind = models.CharField(max_length=10, choices=Kind)
    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, null=True, blank=True, related_name="blogger_items"
    )
    comment_id = models.PositiveBigIntegerField(null=True, blank=True)
    path = models.CharField(max_length=300, blank=True, db_index=True)
    source_updated = models.DateTimeField(null=True, blank=True)
    synced_at = models.DateTimeField(
        null=True, blank=True, help_text="The article's `updated` time right after the import."
    )

    class Meta:
        verbose_name = "Blogger item"

    def __str__(self):
        return f"{self.kind} {self.blogger_id}"


class BloggerImport(models.Model):
    """One upload in the admin's "Import from Blogger" page: its check, progress and report."""

    class Status(models.TextChoices):
        CHECKED = "checked", "Checked, ready to import"
        REFUSED = "refused", "File refused"
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Importing"
        DONE = "done", "Imported"
        FAILED = "failed", "Failed"

    file_name = models.CharField(max_length=200)
    stored_name = models.CharField(max_length=200, editable=False)
    allow_private_hosts = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status, default=Status.CHECKED)
    error = models.TextField(blank=True)
    dry_run_report = models.TextField(blank=True)
    report = models.TextField(blank=True)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    progress_stage = models.CharField(max_length=60, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, editable=False
    )
    created = models.DateTimeField(auto_now_add=True)
    finished = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]
        verbose_name = "import from Blogger"
        verbose_name_plural = "imports from Blogger"
        permissions = [("run_blogger_import", "Can import a blog from Blogger")]

    def __str__(self):
        return f"{self.file_name} ({self.get_status_display()})"

    @property
    def percent(self):
        return round(100 * self.progress_done / self.progress_total) if self.progress_total else 0


class SearchEntry(models.Model):
    """One thing search can find: an article, a question, a product or a topic.

    Kept in step with its source by articles/search (never edited by hand). The *_stems
    columns hold normalised word stems (articles/search/text.py); the databases index
    them (migration 0006) and the ranking reads them.
    """

    # Narrow columns first: SQLite reads a row's columns in order, so what ranking needs
    # must not sit behind the long text (and its overflow pages).
    key = models.CharField(max_length=40, unique=True)  # "article:12", "faq:3", ...
    kind = models.CharField(max_length=10)
    live_from = models.DateTimeField()
    title_stems = models.TextField(blank=True)
    lead_stems = models.TextField(blank=True)  # key points, a question's article, a tagline
    stems = models.TextField(blank=True)  # every distinct stem of the entry
    title = models.CharField(max_length=300)
    url = models.CharField(max_length=500)
    label = models.CharField(max_length=200, blank=True)  # the line under the title
    words = models.TextField(blank=True)  # every distinct word, for the spelling vocabulary
    text = models.TextField(blank=True)  # plain rendered text, for snippets

    objects = PublicQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "search entries"
        # No index on live_from on purpose: the planner must find matches through the
        # word indexes (migration 0006), not walk the newest entries testing each one.

    def __str__(self):
        return f"{self.kind}: {self.title}"


class SearchWord(models.Model):
    """The site's own vocabulary, for spelling suggestions: each word and how many entries
    use it (a typo is corrected to the closest, most used word)."""

    word = models.CharField(max_length=60, unique=True)
    stem = models.CharField(max_length=60, db_index=True)
    length = models.PositiveSmallIntegerField(db_index=True)
    entries = models.PositiveIntegerField(default=0)

    objects = PublicQuerySet.as_manager()

    def __str__(self):
        return self.word


class Synonym(models.Model):
    """Words or phrases readers use for the same thing; a search for one finds them all."""

    terms = models.CharField(
        max_length=300,
        unique=True,
        help_text="Two or more words or phrases that mean the same, separated by commas, "
        "e.g. “insomnia, sleep” or “LDN, low-dose naltrexone”. Used from the next search on.",
    )

    objects = PublicQuerySet.as_manager()

    class Meta:
        ordering = ["terms"]

    def __str__(self):
        return self.terms

    @property
    def term_list(self):
        return [t.strip() for t in self.terms.split(",") if t.strip()]

    def clean(self):
        from articles.search.text import words

        terms = self.term_list
        if len(terms) < 2:
            raise ValidationError(
                {"terms": "Give at least two words or phrases, separated by commas."}
            )
        empty = [t for t in terms if not words(t)]
        if empty:
            raise ValidationError(
                {"terms": f"“{empty[0]}” is only small common words, which search ignores."}
            )
        self.terms = ", ".join(terms)
