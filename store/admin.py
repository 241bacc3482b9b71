from django.contrib import admin, messages
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.html import format_html

from articles import search
from core.admin import LiteralHelpTextMixin, UploadFailureAdminMixin
from core.widgets import EditorWidget
from store.models import Product, ProductCategory, ProductImage


def thumbnail(item, width=64):
    """The smallest stored rendition; sized by attributes (the CSP forbids inline styles)."""
    if not item.image:
        return "—"
    if not item.image.is_public:
        return "Being prepared"
    smallest = item.renditions[0] if item.renditions else {"width": width, "height": width}
    height = round(smallest["height"] * width / smallest["width"])
    return format_html(
        '<img src="{}" alt="" width="{}" height="{}" loading="lazy">',
        item.thumbnail_url,
        width,
        height,
    )


@admin.register(ProductCategory)
class ProductCategoryAdmin(LiteralHelpTextMixin, admin.ModelAdmin):
    list_display = ["name", "order", "product_count"]
    list_editable = ["order"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(product_total=Count("products"))

    @admin.display(description="products", ordering="product_total")
    def product_count(self, category):
        return category.product_total


class ProductImageInline(admin.TabularInline):
    model = ProductImage
    fields = ["preview", "image", "alt", "order"]
    readonly_fields = ["preview"]
    extra = 0

    @admin.display(description="")
    def preview(self, image):
        return thumbnail(image)


@admin.register(Product)
class ProductAdmin(UploadFailureAdminMixin, LiteralHelpTextMixin, admin.ModelAdmin):
    list_display = [
        "preview",
        "name",
        "category",
        "price_display",
        "store_name",
        "availability",
        "featured",
        "order",
        "click_count",
    ]
    list_display_links = ["preview", "name"]
    list_editable = ["availability", "featured", "order"]
    list_filter = ["availability", "featured", "category", "store_name", "currency"]
    list_select_related = ["category"]
    search_fields = ["name", "slug", "short_description", "store_name", "buy_url"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["related_articles"]
    inlines = [ProductImageInline]
    actions = ["mark_unavailable", "mark_in_stock"]
    save_on_top = True
    readonly_fields = ["preview", "click_count", "created", "updated"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "category", "short_description", "description"]}),
        ("Price and shop", {"fields": ["price", "currency", "buy_url", "store_name"]}),
        ("Showing it", {"fields": ["availability", "featured", "order", "related_articles"]}),
        ("Main image", {"fields": ["preview", "image", "alt"]}),
        ("Numbers", {"fields": ["click_count", "created", "updated"]}),
    ]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "description":
            kwargs["widget"] = EditorWidget
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    @admin.display(description="image")
    def preview(self, product):
        return thumbnail(product)

    @admin.display(description="price", ordering="price")
    def price_display(self, product):
        return product.price_display

    @admin.action(description="Mark selected products unavailable", permissions=["change"])
    @transaction.atomic  # with the re-indexing: one change, one page-cache invalidation
    def mark_unavailable(self, request, queryset):
        count = queryset.update(
            availability=Product.Availability.OUT_OF_STOCK, updated=timezone.now()
        )
        search.index_all(queryset.select_related("category"))  # their result lines say so
        self.message_user(
            request,
            f"{count} product(s) marked unavailable: no Buy button is shown.",
            messages.SUCCESS,
        )

    @admin.action(description="Mark selected products in stock", permissions=["change"])
    @transaction.atomic
    def mark_in_stock(self, request, queryset):
        count = queryset.update(availability=Product.Availability.IN_STOCK, updated=timezone.now())
        search.index_all(queryset.select_related("category"))
        self.message_user(request, f"{count} product(s) marked in stock.", messages.SUCCESS)
