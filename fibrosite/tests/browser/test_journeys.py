"""Whole journeys in a real browser, with axe-core checking every page on the way."""

import re
import time

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth import get_user_model
from django.core import mail
from playwright.sync_api import expect

from articles.models import Article
from community.models import ContactMessage, Subscriber
from store.models import Product

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

    # "Shop this": the buy link goes through our counted redirect to the external shop,
    # which is answered here by a stand-in page (this machine has no outside network).
    shop_requests = []

    def stand_in_shop(route):
        shop_requests.append(route.request.url)
        route.fulfill(body="<title>Shop</title><h1>The shop</h1>", content_type="text/html")

    page.route("https://fibromyalgia.dashery.com/**", stand_in_shop)
    shop_this = page.get_by_role("region", name="Shop this")
    buy = shop_this.get_by_role("link", name=re.compile("^Buy at")).first
    expect(buy).to_have_attribute("rel", "sponsored noopener")
    product = Product.objects.get(slug=buy.get_attribute("href").rstrip("/").split("/")[-1])
    buy.click()
    expect(page.locator("h1")).to_have_text("The shop")
    assert "utm_source=fibrosite" in shop_requests[0]
    product.refresh_from_db()
    assert product.click_count == 1

    page.goto(live_server.url + "/contact/")
    assert_accessible(page)
    page.get_by_label("Your name").fill("Sam Reader")
    page.get_by_label("Your email address").fill("sam@example.org")
    page.get_by_label("What is it about?").select_option(index=1)
    page.get_by_label("Your message").fill("Thank you for the article on <b>LDN</b>.")
    page.get_by_label(re.compile("I agree that FibroSite may store")).check()
    time.sleep(2.6)  # people take longer than the bots' minimum fill time
    page.get_by_role("button", name="Send message").click()
    expect(page.locator("h1")).to_contain_text("Thank you")
    assert ContactMessage.objects.get().message == "Thank you for the article on <b>LDN</b>."


def test_visitor_signs_up_and_confirms_from_the_emailed_link(live_server, page, demo):
    page.goto(live_server.url + "/community/")
    assert_accessible(page)
    page.get_by_label("Your email address").fill("ana@example.org")
    page.get_by_label(re.compile("Chronic illness updates")).check()
    page.locator("input[name=consent]").check()
    time.sleep(2.6)
    page.locator("form.community-form button[type=submit]").click()
    expect(page.locator("h1")).to_have_text("Please check your email")

    confirm = re.search(r"http://\S+/community/confirm/\S+/", mail.outbox[-1].body).group(0)
    page.goto(confirm.replace("http://127.0.0.1:8000", live_server.url))
    assert Subscriber.objects.get().status == Subscriber.Status.PENDING  # opening is not enough
    page.get_by_role("button", name=re.compile("confirm", re.I)).click()
    assert Subscriber.objects.get().status == Subscriber.Status.CONFIRMED


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize(
    "path",
    ["/", LDN, "/faq/", "/articles/", "/search/?q=sleep", "/store/", "/contact/",
     "/community/", "/community/whatsapp/", f"{LDN}comment/"],
)  # fmt: skip
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

    page.goto(live_server.url + "/contact/")
    submit = page.get_by_role("button", name="Send message")
    for _ in range(40):
        page.keyboard.press("Tab")
        if submit.evaluate("button => button === document.activeElement"):
            break
    expect(submit).to_be_focused()


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
    page.check("input[name=status][value=published]")
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
