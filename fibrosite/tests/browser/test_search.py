"""Search in a real browser: one box, results that fit a phone, the typo suggestion."""

import pytest
from playwright.sync_api import expect

from fibrosite.tests.browser.test_journeys import assert_accessible

pytestmark = pytest.mark.browser

SIZES = {"phone": (390, 844), "desktop": (1280, 900)}


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("query", ["sleep", "zebra crossing"])
def test_results_and_help_fit_the_screen_with_one_search_box(
    live_server, page, demo, size, scheme, query
):
    width, height = SIZES[size]
    page.set_viewport_size({"width": width, "height": height})
    page.emulate_media(color_scheme=scheme)
    page.goto(f"{live_server.url}/search/?q={query}")
    boxes = page.locator('input[type="search"]')
    expect(boxes).to_have_count(1)
    expect(boxes).to_have_value(query)
    # Nothing runs off the side of the screen, even long titles and snippets.
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    if query == "sleep":
        first = page.locator(".result").first
        kind = first.locator(".result-kind").bounding_box()
        title = first.locator("h2").bounding_box()
        snippet = first.locator(".result-snippet").bounding_box()
        assert kind["y"] + kind["height"] <= title["y"] + 1  # what it is, then its title
        assert title["y"] + title["height"] <= snippet["y"] + 1  # the title apart
        mark = first.locator(".result-snippet mark").first
        assert mark.evaluate("m => getComputedStyle(m).backgroundColor") != "rgba(0, 0, 0, 0)"
    else:
        expect(page.get_by_role("heading", name="Browse by topic")).to_be_visible()
        expect(page.get_by_role("heading", name="Common questions")).to_be_visible()
    assert_accessible(page)


def test_a_typo_offers_a_correction_that_finds_the_answer(live_server, page, demo):
    page.goto(f"{live_server.url}/search/?q=is+there+a+kure")
    suggestion = page.locator(".did-you-mean a")
    expect(suggestion).to_have_text("is there a cure")
    first = page.locator(".result h2").first
    expect(first).to_have_text("Is there a cure for fibromyalgia?")
    suggestion.click()
    expect(page.locator("h1")).to_have_text("Results for “is there a cure”")
    expect(page.locator(".did-you-mean")).to_have_count(0)
    page.locator(".result h2 a").first.click()
    assert "/faq/#faq-" in page.url
    anchor = page.url[page.url.index("#") :]
    expect(page.locator(f"{anchor} h3")).to_have_text("Is there a cure for fibromyalgia?")
