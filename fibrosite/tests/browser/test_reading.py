"""What a reader sees, measured in Chromium: header size, reading order, no sideways scroll at
any reading-comfort setting, the panels, whole cards and the print sheet (issue 11).

Each test loads every page once and measures many widths, schemes and settings on it, so the
whole file costs one browser session and a few seconds per page."""

import datetime
import itertools
import re
import time

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect

from articles.models import Article, Category
from store.models import Product

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LDN = "/articles/low-dose-naltrexone-fibromyalgia-fatigue/"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
COMFORT = [
    " ".join(filter(None, combo))
    for combo in itertools.product(
        ["", "text-large", "text-larger"], ["", "spacing-wide"], ["", "low-glare"]
    )
]


def public_pages():
    product = Product.objects.visible().order_by("pk").first().get_absolute_url()
    return ["/", "/articles/", LDN, "/articles/category/sleep/", "/faq/", "/search/?q=sleep",
            "/store/", product, "/contact/", "/community/"]  # fmt: skip


def hostile_article():
    """Unbroken words, a long link and a wide table: what breaks narrow layouts."""
    word = "Fibromyalgia" * 12
    row = "| " + " | ".join(f"column{n}withaverylongheading" for n in range(8)) + " |"
    article = Article.objects.create(
        title=f"{word} and sleep", slug="hostile-layout", category=Category.objects.first(),
        summary=f"{word}\nhttps://example.org/{'a' * 150}", status=Article.Status.PUBLISHED,
        publish_at=timezone.now(),
        body=f"## {word}\n\n{word} https://example.org/{'b' * 200}\n\n## Two\n\nText.\n\n"
        f"## Three\n\n{row}\n|{'---|' * 8}\n{row}\n\n    {'code' * 60}\n",
    )  # fmt: skip
    return [article.get_absolute_url(), f"/search/?q={word}", f"/search/?q={'x' * 150}"]


# Sets each reading-comfort combination as comfort.js does, returns those that scroll sideways.
MEASURE_EVERY_SETTING = """settings => {
    const root = document.documentElement, found = [];
    for (const classes of settings) {
        root.classList.remove("text-large", "text-larger", "spacing-wide", "low-glare");
        classes.split(" ").filter(Boolean).forEach(c => root.classList.add(c));
        const wide = root.scrollWidth - innerWidth;
        if (wide > 0) found.push([classes, wide]);
    }
    root.classList.remove("text-large", "text-larger", "spacing-wide", "low-glare");
    return found;
}"""


def top(page, selector):
    return page.locator(selector).first.evaluate("e => e.getBoundingClientRect().top + scrollY")


def test_no_page_scrolls_sideways_and_axe_passes_at_every_setting(live_server, page, demo):
    problems, headers = [], {}
    for path in public_pages() + hostile_article():
        page.set_viewport_size(PHONE)
        page.goto(live_server.url + path)
        headers[path] = page.locator(".site-header").evaluate("h => h.offsetHeight")
        for width, scheme in itertools.product((320, 390, 1280), ("light", "dark")):
            page.set_viewport_size({"width": width, "height": 844})
            page.emulate_media(color_scheme=scheme)
            wide = page.evaluate(MEASURE_EVERY_SETTING, COMFORT)
            problems += [(path, width, scheme, c or "default", px) for c, px in wide]
    assert problems == [], f"pages scroll sideways (page, width, scheme, setting, px): {problems}"
    too_tall = {path: h for path, h in headers.items() if h > 0.25 * 844}
    assert too_tall == {}, f"header over 25% of a 390 x 844 screen: {too_tall}"

    # axe at the largest text size and wide spacing, light and dark.
    page.set_viewport_size(PHONE)
    largest = "JSON.stringify({size: 'larger', spacing: 'wide'})"
    page.evaluate(f"localStorage.setItem('fibrosite-comfort', {largest})")
    found = {}
    for path in public_pages():
        for scheme in ("light", "dark"):
            page.emulate_media(color_scheme=scheme)
            page.goto(live_server.url + path)
            assert "text-larger" in page.evaluate("document.documentElement.className")
            violations = Axe().run(page).response["violations"]
            if violations:
                found[(path, scheme)] = [(v["id"], len(v["nodes"])) for v in violations]
    assert found == {}, found


def test_article_first_store_last_whole_cards_and_a_print_sheet(live_server, page, demo):
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + LDN)
    assert page.locator(".site-header").evaluate("h => h.offsetHeight") <= 0.25 * 844
    first_paragraph = top(page, ".article > .prose > p")
    assert first_paragraph < 1.5 * 844, f"first paragraph starts at {first_paragraph} px"
    expect(page.locator("details.toc")).not_to_have_attribute("open", "")  # folded on phones
    # The store comes after the references and the support links, never after a warning.
    order = page.evaluate(
        """() => [...document.querySelectorAll('.article > *')].map(e => e.className)"""
    )
    assert order.index("shop-this") > order.index("references") > order.index("medical-note")
    assert order[order.index("shop-this") - 1] == "community-links"
    # The footer carries the site's link lists; the article does not repeat them.
    footer_links = page.locator(".site-footer a[rel=noopener]").count()
    assert footer_links > 0 and page.locator("main a[href^='https://'][rel=noopener]").count() == (
        page.locator("main .references a").count()
    )

    product = Product.objects.visible().filter(availability="in_stock").order_by("pk").first()
    page.goto(live_server.url + product.get_absolute_url())
    buy = page.get_by_role("link", name=re.compile("^Buy at"))
    box = buy.bounding_box()
    assert box["y"] + box["height"] <= 844, f"Buy button ends at {box['y'] + box['height']} px"

    page.set_viewport_size(DESKTOP)
    page.goto(live_server.url + LDN)
    assert page.locator(".site-header").evaluate("h => h.offsetHeight") <= 120
    toc = page.locator("details.toc")
    expect(toc).to_have_attribute("open", "")
    prose = page.locator(".article > .prose").bounding_box()
    beside = toc.bounding_box()
    assert beside["x"] >= prose["x"] + prose["width"], "contents are not beside the text"
    page.mouse.wheel(0, 3000)
    # Polled from here: wait_for_function's in-page polling is an eval the site's CSP refuses.
    deadline = time.monotonic() + 10
    while page.evaluate("scrollY") <= 2500 and time.monotonic() < deadline:
        page.wait_for_timeout(50)
    assert page.evaluate("scrollY") > 2500
    sticky = toc.bounding_box()
    assert 0 <= sticky["y"] < 100, f"contents scrolled away (top at {sticky['y']} px)"

    check_cards(page, live_server)
    check_print(page, live_server)


def test_menu_and_comfort_panels_stay_on_screen_and_close_like_dialogs(live_server, page, demo):
    for width in (320, 390):
        page.set_viewport_size({"width": width, "height": 700})
        page.goto(live_server.url + LDN)
        menu = page.locator("details.menu > summary")
        menu.click()
        page.locator("details.comfort > summary").click()
        panel = page.locator(".comfort-panel").bounding_box()
        assert panel["x"] >= 0 and panel["x"] + panel["width"] <= width, (width, panel)
        for name in ("A", "A+", "A++", "Wide", "Low glare"):
            button = page.get_by_role("button", name=name, exact=True).bounding_box()
            assert 0 <= button["x"] and button["x"] + button["width"] <= width, (width, name)
        page.keyboard.press("Escape")
        expect(page.locator("details.comfort")).not_to_have_attribute("open", "")
        expect(page.locator("details.comfort > summary")).to_be_focused()
        page.keyboard.press("Escape")
        expect(page.locator("details.menu")).not_to_have_attribute("open", "")
        expect(menu).to_be_focused()

    page.set_viewport_size(DESKTOP)
    page.goto(live_server.url + LDN)
    comfort = page.locator("details.comfort")
    comfort.locator("summary").click()
    panel = page.locator(".comfort-panel").bounding_box()
    assert panel["x"] >= 0 and panel["x"] + panel["width"] <= DESKTOP["width"]
    page.locator("h1").click()  # outside the panel
    expect(comfort).not_to_have_attribute("open", "")
    expect(comfort.locator("summary")).to_be_focused()
    # Tabbing out of the open panel closes it, so focus never hides underneath it.
    comfort.locator("summary").click()
    page.get_by_role("button", name="Low glare").focus()
    page.keyboard.press("Tab")
    expect(comfort).not_to_have_attribute("open", "")
    expect(page.locator(".comfort-panel")).to_be_hidden()


def check_cards(page, live_server):
    page.set_viewport_size(DESKTOP)
    page.goto(live_server.url + "/")
    page.wait_for_load_state("load")
    featured = page.locator(".cards-featured img")
    assert featured.count() >= 1
    for i in range(featured.count()):
        image = featured.nth(i)
        assert image.get_attribute("loading") == "eager"
        assert image.get_attribute("fetchpriority") == "high"
        assert image.evaluate("img => img.complete && img.naturalWidth > 0"), "featured image blank"
    assert (
        page.locator("section:not(:has(.cards-featured)) .card img").first.get_attribute("loading")
        == "lazy"
    )
    cards = page.locator(".card")
    focusables = cards.evaluate_all(
        """cards => cards.map(card => card.querySelectorAll(
            'a, button, input, select, textarea, [tabindex]').length)"""
    )
    assert focusables and set(focusables) == {1}, focusables

    card = cards.first
    title = card.locator(".card-title a")
    target = title.get_attribute("href")
    image = card.locator("img").bounding_box()
    page.mouse.click(image["x"] + image["width"] / 2, image["y"] + image["height"] / 2)
    expect(page).to_have_url(live_server.url + target)
    page.go_back()
    summary = page.locator(".card").first.locator("p:not(.eyebrow):not(.small)").bounding_box()
    page.mouse.click(summary["x"] + 10, summary["y"] + 5)
    expect(page).to_have_url(live_server.url + target)


def check_print(page, live_server):
    page.emulate_media(media="print", color_scheme="dark")
    page.goto(live_server.url + LDN)
    meta = page.locator(".print-meta")
    expect(meta).to_be_visible()
    assert meta.bounding_box()["width"] > 300  # a line on the paper, not a clipped pixel
    today = datetime.date.today()
    text = meta.inner_text()
    assert "FibroSite" in text and f"http://127.0.0.1:8000{LDN}" in text
    assert f"{today.day} {today:%B %Y}" in text
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator(".shop-this")).to_be_hidden()
    expect(page.locator(".medical-note")).to_contain_text("Last reviewed")
    colours = page.evaluate(
        """() => ['body', '.byline', '.medical-note', '.key-points'].map(s => {
            const style = getComputedStyle(document.querySelector(s));
            return [s, style.color, style.backgroundColor];
        })"""
    )
    for selector, colour, background in colours:
        assert colour in ("rgb(0, 0, 0)", "rgb(51, 51, 51)"), (selector, colour)
        assert background in ("rgb(255, 255, 255)", "rgba(0, 0, 0, 0)"), (selector, background)
