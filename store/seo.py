"""schema.org Product JSON-LD for product pages."""

from core.seo import absolute


def image_urls(product):
    images = [(product.image, product.renditions)] if product.image.is_public else []
    images += [
        (extra.image, extra.renditions) for extra in product.images.all() if extra.image.is_public
    ]
    return [
        absolute(image.storage.url(renditions[-1]["original"]) if renditions else image.url)
        for image, renditions in images
    ]


def product(product):
    data = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": product.name,
        "description": product.short_description,
        "url": absolute(product.get_absolute_url()),
        "category": product.category.name,
        "offers": {
            "@type": "Offer",
            "price": f"{product.price:.2f}",
            "priceCurrency": product.currency,
            "availability": product.schema_availability,
            # The offer is the shop's own page (no tracking), where the purchase happens.
            "url": product.buy_url,
            "seller": {"@type": "Organization", "name": product.store_name},
        },
    }
    images = image_urls(product)
    if images:
        data["image"] = images
    return data
