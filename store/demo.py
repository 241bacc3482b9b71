"""Demo products for the store, described plainly (no health claims), on the demo shop.

`load(stdout)` is called by `manage.py load_demo`; it only creates what is missing, so
running it again changes nothing. Pictures are drawn with Pillow (no binary files).
"""

from decimal import Decimal

from articles.models import Article
from core.demo_images import soft_picture
from store.models import Product, ProductCategory, ProductImage

SHOP = "https://fibromyalgia.dashery.com"

CATEGORIES = [
    ("Warmth and comfort", "warmth-and-comfort", "Soft, warm things for achy days and cold evenings.", (140, 62, 82)),
    ("Rest and sleep", "rest-and-sleep", "Small helps for winding down and a darker, quieter bedroom.", (36, 84, 122)),
    ("Pacing and planning", "pacing-and-planning", "Paper tools for planning your energy and remembering the details.", (75, 63, 143)),
    ("Awareness", "awareness", "Clothing and gifts that start a conversation about fibromyalgia.", (90, 70, 130)),
]  # fmt: skip

# (name, slug, category, price, short description, description, related article slugs,
#  featured, availability, shop path, extra pictures)
PRODUCTS = [
    (
        "Energy budget planner", "energy-budget-planner", "pacing-and-planning", "18.00",
        "A 12-week undated planner with a daily page for planning activity and rest.",
        "Each day has room to list what you plan to do, mark how demanding each task is, and "
        "note when you rested. A weekly page helps you spot patterns.\n\n"
        "- Undated, so you can start any week\n- A5, lay-flat binding\n- 100 gsm paper",
        ["pacing-energy-budget"], True, "in_stock", "/products/energy-budget-planner", 2,
    ),
    (
        "Symptom and medicine journal", "symptom-medicine-journal", "pacing-and-planning", "14.50",
        "A simple log for sleep, pain, energy and medicines, to take to appointments.",
        "Fill in a line a day: hours slept, pain and energy out of ten, medicines taken and "
        "anything you want to ask your doctor. The back pages hold a medicines list and "
        "appointment notes.\n\nIt is a notebook, not medical advice: use it to talk things "
        "through with your own doctor.",
        ["low-dose-naltrexone-fibromyalgia-fatigue", "doctors-appointment"], True, "in_stock",
        "/products/symptom-journal?variant=a5", 0,
    ),
    (
        "Weekly pill organiser", "weekly-pill-organiser", "pacing-and-planning", "9.00",
        "Seven days, morning and evening, with clear lids that open one at a time.",
        "Fourteen compartments with large printed letters. Each lid opens on its own, so you "
        "can carry a single day in a bag.",
        ["low-dose-naltrexone-fibromyalgia-fatigue"], False, "in_stock", "/products/pill-organiser", 0,
    ),
    (
        "Sticky-note memory pad", "memory-pad", "pacing-and-planning", "6.00",
        "A tear-off pad of checklists to leave by the door: keys, phone, medicines, bag.",
        "Fifty tear-off sheets with a short checklist and space for today's one important "
        "thing. Sticks to a door or fridge.",
        ["fibro-fog-memory-aids"], False, "in_stock", "/products/memory-pad", 0,
    ),
    (
        "Wheat heat pack", "wheat-heat-pack", "warmth-and-comfort", "22.00",
        "A long, soft wheat bag for the shoulders or lower back, warmed in the microwave.",
        "Filled with wheat and a little lavender, in a washable cotton cover. Follow the "
        "heating time printed on the label and test the temperature before use.",
        ["warmth-for-aching-muscles"], True, "in_stock", "/products/wheat-heat-pack", 1,
    ),
    (
        "Fleece throw blanket", "fleece-throw", "warmth-and-comfort", "32.00",
        "A large, light fleece throw in deep purple, soft enough for the sofa or bed.",
        "150 x 200 cm, machine washable at 30 °C. Light enough to move around the house.",
        ["warmth-for-aching-muscles"], False, "in_stock", "/products/fleece-throw", 0,
    ),
    (
        "Knitted wrist warmers", "wrist-warmers", "warmth-and-comfort", "16.00",
        "Fingerless knitted warmers that keep wrists warm while you type or write.",
        "A soft wool blend, one size. Hand wash.",
        [], False, "out_of_stock", "/products/wrist-warmers", 0,
    ),
    (
        "Contoured sleep mask", "sleep-mask", "rest-and-sleep", "12.00",
        "A padded eye mask shaped to sit away from the eyes, with a soft adjustable strap.",
        "Blocks most light for naps and early summer mornings. The strap adjusts without "
        "tugging at hair.",
        ["unrefreshing-sleep", "wind-down-routine"], True, "in_stock", "/products/sleep-mask", 0,
    ),
    (
        "Cotton pillowcase pair", "cotton-pillowcases", "rest-and-sleep", "24.00",
        "Two smooth cotton pillowcases in muted lilac, with an envelope closure.",
        "Standard size, 400 thread count, washable at 40 °C.",
        ["unrefreshing-sleep"], False, "in_stock", "/products/pillowcases", 0,
    ),
    (
        "Wind-down bedtime card set", "wind-down-cards", "rest-and-sleep", "10.00",
        "Thirty cards with small, quiet things to do in the hour before bed.",
        "Ideas such as a short stretch, a page of reading or a warm drink, written to be "
        "gentle on low-energy evenings.",
        ["wind-down-routine"], False, "in_stock", "/products/wind-down-cards", 0,
    ),
    (
        "Awareness T-shirt", "awareness-t-shirt", "awareness", "25.00",
        "A soft cotton T-shirt with a small purple ribbon and the words “Fibro warrior”.",
        "Relaxed fit, sizes S to 3XL. Printed to order by the shop.",
        [], True, "in_stock", "/products/awareness-t-shirt?color=purple&utm_campaign=awareness", 1,
    ),
    (
        "Spoonie mug", "spoonie-mug", "awareness", "15.00",
        "A white ceramic mug with a line drawing of a spoon and “Counting my spoons”.",
        "330 ml, dishwasher and microwave safe.",
        [], False, "in_stock", "/products/spoonie-mug", 0,
    ),
]  # fmt: skip


def load(stdout):
    categories = {}
    colours = {}
    for order, (name, slug, description, colour) in enumerate(CATEGORIES):
        categories[slug], _ = ProductCategory.objects.get_or_create(
            slug=slug, defaults={"name": name, "description": description, "order": order}
        )
        colours[slug] = colour
    articles = Article.objects.in_bulk(
        {slug for product in PRODUCTS for slug in product[6]}, field_name="slug"
    )
    for order, row in enumerate(PRODUCTS):
        _product(order, row, categories, colours, articles)
    stdout.write(
        f"Store: {ProductCategory.objects.count()} categories, {Product.objects.count()} products."
    )


def _product(order, row, categories, colours, articles):
    (name, slug, cat, price, short, description, article_slugs,
     featured, availability, path, extra_pictures) = row  # fmt: skip
    if Product.objects.filter(slug=slug).exists():
        return
    palette = (colours[cat], (244, 239, 230))
    product = Product(
        name=name,
        slug=slug,
        category=categories[cat],
        price=Decimal(price),
        short_description=short,
        description=description,
        buy_url=SHOP + path,
        featured=featured,
        availability=availability,
        order=order,
        alt=f"{name}: a soft abstract pattern standing in for a product photo",
    )
    product.image.save(f"{slug}.jpg", soft_picture(slug, (1024, 1024), palette), save=False)
    product.save()
    product.related_articles.set([articles[s] for s in article_slugs if s in articles])
    for number in range(1, extra_pictures + 1):
        extra = ProductImage(
            product=product, order=number, alt=f"{name}, another view (demo pattern)"
        )
        extra.image.save(
            f"{slug}-{number}.jpg",
            soft_picture(f"{slug}-{number}", (1024, 768), palette),
            save=False,
        )
        extra.save()
