"""Whole journeys in a real browser, with axe-core checking every page on the way."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from articles.models import Article

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LDN = "/articles/low-dose-naltrexone-fibromyalgia-fatigue/"
PHONE = {"width": 390, "height": 844}


def assert_accessible(page):
    results = Axe().run(page)
    violations = [(v["id"], v["help"], len(v["nodes"])) for v in results.response["violations"]]
    assert violations == [], f"axe found problems on {page.url}: {violations}"


def test_reader_goes_from_home_to_a_category_an_article_and_its_faq(live_server, page, demo):
    page.goto(live_server.url + "/")
    expect(page.locator("h1")).to_have_text("Living well with fibromyalgia")
    assert_accessible(page)

    page.get_by_role("navigation", name="Browse by symptom").get_by_role(
        "link", name="Treatments"
    ).click()
    expect(page.locator("h1")).to_have_text("Treatments")
    assert_accessible(page)

    page.get_by_role("link", name="Is low-dose naltrexone the answer").first.click()
    expect(page).to_have_url(re.compile(LDN))
    expect(page.get_by_role("heading", name="Key points")).to_be_visible()
    page.get_by_role("link", name="Questions and answers").first.click()
    expect(
        page.get_by_role("heading", name="Questions and answers", exact=True)
    ).to_be_in_viewport()
    expect(page.get_by_text("What dose of low-dose naltrexone is usually used?")).to_be_visible()
    assert_accessible(page)


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("path", ["/", LDN, "/faq/", "/articles/", "/search/?q=sleep"])
def test_pages_have_no_axe_violations(live_server, page, demo, path, scheme):
    page.emulate_media(color_scheme=scheme)
    page.goto(live_server.url + path)
    assert_accessible(page)


def test_every_image_has_size_and_alt_and_nothing_leaves_the_site(live_server, page, demo):
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(live_server.url + LDN)
    page.wait_for_load_state("networkidle")
    images = page.locator("img").evaluate_all(
        "imgs => imgs.map(i => ['alt', 'width', 'height'].map(a => i.getAttribute(a)))"
    )
    assert images and all(alt is not None and w and h for alt, w, h in images)
    assert all(url.startswith(live_server.url) for url in requests), requests


def test_keyboard_reaches_the_skip_link_then_search(live_server, page, demo):
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("Skip to content")
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    page.goto(live_server.url + "/")
    for _ in range(12):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "site-search":
            break
    expect(page.locator("#site-search")).to_be_focused()
    page.keyboard.type("sleep")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Results for “sleep”")


def test_reading_comfort_choices_persist_and_pages_work_without_javascript(
    live_server, page, browser, demo
):
    page.goto(live_server.url + LDN)
    page.get_by_text("Reading comfort").click()
    page.get_by_role("button", name="A++").click()
    page.get_by_role("button", name="Low glare").click()
    page.reload()
    classes = page.evaluate("document.documentElement.className")
    assert "text-larger" in classes and "low-glare" in classes
    page.get_by_text("Reading comfort").click()
    expect(page.get_by_role("button", name="A++")).to_have_attribute("aria-pressed", "true")

    no_js = browser.new_context(java_script_enabled=False)
    plain = no_js.new_page()
    plain.goto(live_server.url + LDN)
    expect(plain.locator("h1")).to_have_text(re.compile("low-dose naltrexone"))
    expect(plain.get_by_text("Reading comfort")).to_be_hidden()
    no_js.close()


def test_editor_writes_previews_and_publishes_an_article(live_server, page, demo):
    get_user_model().objects.create_superuser("chief", "chief@example.org", "a-long-pass-phrase")
    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", "chief")
    page.fill("#id_password", "a-long-pass-phrase")
    page.get_by_role("button", name="Log in").click()
    page.goto(live_server.url + "/admin/articles/article/add/")

    csp_errors = []
    page.on("console", lambda m: m.type == "error" and csp_errors.append(m.text))
    page.locator("#id_title").press_sequentially("Cooling down after a flare")
    expect(page.locator("#id_slug")).to_have_value("cooling-down-after-a-flare")
    page.fill("#id_summary", "Rest first.\nThen move gently.")
    page.locator("#id_body").fill("## Rest first\n\nTake **one** small step at a time.")
    preview = page.locator(".markdownx-preview")
    expect(preview.locator("h2")).to_have_text("Rest first")
    expect(preview.locator("strong")).to_have_text("one")
    page.select_option("#id_status", "published")
    page.select_option("#id_category", label="Fatigue")

    page.get_by_text(re.compile("Add another question", re.I)).click()
    page.fill("#id_faqs-0-question", "Should I rest all day?")
    page.locator("#id_faqs-0-answer").fill("No: short rests spread through the day work better.")
    page.locator("input[name=_save]").first.click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")

    assert csp_errors == []
    article = Article.objects.get(slug="cooling-down-after-a-flare")
    assert article.faqs.get().question == "Should I rest all day?"
    page.goto(live_server.url + "/")
    expect(page.get_by_role("link", name="Cooling down after a flare")).to_be_visible()


@pytest.mark.parametrize(("name", "path"), [("home", "/"), ("article", LDN), ("faq", "/faq/")])
def test_screenshots_of_the_main_pages(live_server, page, demo, screenshot, name, path):
    for width_name, size in (("desktop", {"width": 1280, "height": 900}), ("phone", PHONE)):
        page.set_viewport_size(size)
        page.goto(live_server.url + path)
        expect(page.locator("h1")).to_be_visible()
        screenshot(f"{name}-{width_name}")
        overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
        assert not overflow, f"{name} scrolls sideways at {width_name} width"
