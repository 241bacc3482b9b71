from decimal import Decimal
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, URLValidator
from django.db import models, transaction
from django.urls import reverse
from markdownx.models import MarkdownxField
from model_utils import FieldTracker

from core import markdown
from core.images import ValidatedImageField, refresh_renditions, saved_name
from core.pagecache import PublicQuerySet

IMAGE_WIDTHS = (320, 640, 1024)
DEFAULT_STORE_NAME = "Fibromyalgia Store"
# Added to every outbound link; a value the editor already put in the URL wins.
UTM_PARAMS = {"utm_source": "fibrosite", "utm_medium": "referral", "utm_campaign": "store"}


class Currency(models.TextChoices):
    USD = "USD", "US dollar ($)"
    GBP = "GBP", "Pound sterling (£)"
    EUR = "EUR", "Euro (€)"
    CAD = "CAD", "Canadian dollar (CA$)"
    AUD = "AUD", "Australian dollar (A$)"


CURRENCY_SYMBOLS = {"USD": "$", "GBP": "£", "EUR": "€", "CAD": "CA$", "AUD": "A$"}


def validate_buy_url(value):
    """Only plain web addresses: no javascript:, data:, ftp: or hidden user names."""
    URLValidator(
        schemes=["http", "https"],
        message="Enter the full shop address, starting with https:// (or http://).",
    )(value)
    if "@" in (urlsplit(value).netloc or ""):
        raise ValidationError(
            "Shop addresses can't contain a user name or password (the part before @).",
            code="userinfo",
        )


def with_utm(url):
    """The URL with our UTM parameters appended; its own query and fragment are kept as is."""
    parts = urlsplit(url)
    present = {key for key, _ in parse_qsl(parts.query, keep_blank_values=True)}
    missing = {key: value for key, value in UTM_PARAMS.items() if key not in present}
    query = "&".join(filter(None, [parts.query, urlencode(missing)]))
    return urlunsplit(parts._replace(query=query))


class ImageRenditionsMixin:
    """Resized copies of `image` are made once, when a new image is saved (never per request).

    The model declares `tracker = FieldTracker(fields=["image"])`."""

    def _save_with_renditions(self, *args, **kwargs):
        previous = saved_name(self, "image")
        with transaction.atomic(savepoint=False):  # one transaction with the caller's
            super().save(*args, **kwargs)
            refresh_renditions(self, "image", "renditions", IMAGE_WIDTHS, previous)

    @property
    def share_image_url(self):
        """The full-size resized copy, for sharing cards: pages never point at the original."""
        if self.renditions:
            return self.image.storage.url(self.renditions[-1]["original"])
        return self.image.url if self.image.is_public else ""

    @property
    def thumbnail_url(self):
        if self.renditions:
            return self.image.storage.url(self.renditions[0]["webp"])
        return self.image.url if self.image.is_public else ""

    def clean(self):
        super().clean()
        if self.image and not self.alt.strip():
            raise ValidationError({"alt": "Please describe the image for people who can't see it."})


class ProductCategory(models.Model):
    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(
        max_length=80, unique=True, help_text="The web address: /store/<slug>/."
    )
    description = models.TextField(
        blank=True, help_text="One or two sentences shown on the category page."
    )
    order = models.PositiveSmallIntegerField(default=0, help_text="Lower numbers come first.")

    objects = PublicQuerySet.as_manager()

    class Meta:
        ordering = ["order", "name"]
        verbose_name = "product category"
        verbose_name_plural = "product categories"

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("store:category", args=[self.slug])


class ProductQuerySet(PublicQuerySet):
    def visible(self):
        """Listed in the catalog: everything but discontinued products (whose pages still work)."""
        return self.exclude(availability=Product.Availability.DISCONTINUED)

    def available(self):
        return self.filter(availability=Product.Availability.IN_STOCK)

    def for_listing(self):
        """What a product card needs, without the long description."""
        return self.select_related("category").defer("description", "description_html")


class Product(ImageRenditionsMixin, models.Model):
    class Availability(models.TextChoices):
        IN_STOCK = "in_stock", "In stock"
        OUT_OF_STOCK = "out_of_stock", "Unavailable for now"
        DISCONTINUED = "discontinued", "Discontinued (hidden from the catalog)"

    SCHEMA_AVAILABILITY = {
        Availability.IN_STOCK: "https://schema.org/InStock",
        Availability.OUT_OF_STOCK: "https://schema.org/OutOfStock",
        Availability.DISCONTINUED: "https://schema.org/Discontinued",
    }

    name = models.CharField(max_length=150)
    slug = models.SlugField(
        max_length=150, unique=True, help_text="The web address: /store/product/<slug>/."
    )
    category = models.ForeignKey(ProductCategory, on_delete=models.PROTECT, related_name="products")
    short_description = models.CharField(
        max_length=300, help_text="One or two plain sentences for cards and search results."
    )
    description = MarkdownxField(
        blank=True,
        max_length=markdown.MAX_CHARS,
        validators=[markdown.validate_markdown],
        help_text="Markdown, shown on the product page. Describe it; no health claims.",
    )
    description_html = models.TextField(editable=False, default="")

    price = models.DecimalField(
        max_digits=9, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    currency = models.CharField(max_length=3, choices=Currency, default=Currency.USD)

    image = ValidatedImageField(
        "main image",
        upload_to="store",
        blank=True,
        width_field="image_width",
        height_field="image_height",
        help_text="JPEG, PNG or WebP, up to 5 MB. Square works best.",
    )
    image_width = models.PositiveIntegerField(editable=False, null=True)
    image_height = models.PositiveIntegerField(editable=False, null=True)
    alt = models.CharField(
        "main image description",
        max_length=250,
        blank=True,
        help_text="What the image shows, for people who can't see it. Required with an image.",
    )
    renditions = models.JSONField(editable=False, default=list)

    buy_url = models.URLField(
        "shop address",
        max_length=500,
        validators=[validate_buy_url],
        help_text="The product's page on the external shop (https://...). "
        "Tracking parameters (utm_...) are added when visitors click.",
    )
    store_name = models.CharField(
        "shop name",
        max_length=80,
        default=DEFAULT_STORE_NAME,
        help_text="Shown on the button: 'Buy at <shop name>'.",
    )
    availability = models.CharField(
        max_length=15, choices=Availability, default=Availability.IN_STOCK
    )
    featured = models.BooleanField(default=False, help_text="Show on the store and home pages.")
    order = models.PositiveSmallIntegerField(default=0, help_text="Lower numbers come first.")
    related_articles = models.ManyToManyField(
        "articles.Article",
        blank=True,
        related_name="products",
        help_text="The product is shown under “Shop this” on these articles.",
    )
    click_count = models.PositiveIntegerField("clicks to the shop", default=0, editable=False)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    objects = ProductQuerySet.as_manager()
    tracker = FieldTracker(fields=["image"])

    class Meta:
        ordering = ["order", "name"]
        indexes = [models.Index(fields=["availability", "featured"], name="product_listing_idx")]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.description_html = markdown.render(self.description).html
        if not self._state.adding and kwargs.get("update_fields") is None:
            # The click counter is only ever changed by an F() update: saving an editor's
            # (possibly minutes old) copy must not overwrite clicks counted meanwhile.
            kwargs["update_fields"] = [
                field.name
                for field in self._meta.concrete_fields
                if not field.primary_key and field.name != "click_count"
            ]
        self._save_with_renditions(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("store:product", args=[self.slug])

    def get_buy_url(self):
        """Our counting redirect; templates link here, never straight to the shop."""
        return reverse("store:go", args=[self.slug])

    @property
    def outbound_url(self):
        return with_utm(self.buy_url)

    @property
    def shop_host(self):
        return urlsplit(self.buy_url).hostname or ""

    @property
    def availability_label(self):
        """For visitors (the admin's labels are written for editors)."""
        if self.is_available:
            return "In stock"
        if self.availability == self.Availability.OUT_OF_STOCK:
            return "Unavailable for now"
        return "No longer available"

    @property
    def is_available(self):
        return self.availability == self.Availability.IN_STOCK

    @property
    def currency_symbol(self):
        return CURRENCY_SYMBOLS.get(self.currency, f"{self.currency} ")

    @property
    def price_display(self):
        return f"{self.currency_symbol}{Decimal(self.price):,.2f}"  # a str until reloaded

    @property
    def schema_availability(self):
        return self.SCHEMA_AVAILABILITY[self.availability]

    def count_click(self):
        """Atomic in the database, so concurrent clicks are never lost."""
        Product.objects.filter(pk=self.pk).update(click_count=models.F("click_count") + 1)


class ProductImage(ImageRenditionsMixin, models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="images")
    image = ValidatedImageField(
        upload_to="store",
        width_field="width",
        height_field="height",
        help_text="JPEG, PNG or WebP, up to 5 MB.",
    )
    width = models.PositiveIntegerField(editable=False, null=True)
    height = models.PositiveIntegerField(editable=False, null=True)
    alt = models.CharField(
        "image description",
        max_length=250,
        help_text="What the image shows, for people who can't see it.",
    )
    renditions = models.JSONField(editable=False, default=list)
    order = models.PositiveSmallIntegerField(default=0)
    tracker = FieldTracker(fields=["image"])

    objects = PublicQuerySet.as_manager()

    class Meta:
        ordering = ["order", "id"]
        verbose_name = "extra image"

    def __str__(self):
        return self.alt

    def save(self, *args, **kwargs):
        self._save_with_renditions(*args, **kwargs)
