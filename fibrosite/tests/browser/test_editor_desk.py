"""The editor's desk in a real browser: uploads that explain themselves, alt text, and more."""

import base64
import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from articles.models import Article, Category, Person
from articles.tests.conftest import image_bytes, photo
from fibrosite.tests.browser.test_journeys import assert_accessible

# Looked at by people, not asserted on: the git-ignored folder `make screenshots` uses.
SCREENSHOTS = Path(__file__).resolve().parents[3] / "artifacts" / "screenshots"
SCREENSHOTS.mkdir(parents=True, exist_ok=True)


@pytest.fixture
def screenshot(page):
    def take(name):
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)

    return take


pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ADD = "/admin/articles/article/add/"
LDN = "/articles/low-dose-naltrexone-fibromyalgia-fatigue/"
PHONE = {"width": 390, "height": 844}
# Drop files on the body as a person dragging them from their desktop would.
DROP = """([name, type, b64, size]) => {
  const bytes = b64 ? Uint8Array.from(atob(b64), c => c.charCodeAt(0)) : new Uint8Array(size);
  const transfer = new DataTransfer();
  transfer.items.add(new File([bytes], name, {type}));
  const body = document.querySelector("#id_body");
  const options = {dataTransfer: transfer, bubbles: true, cancelable: true};
  body.dispatchEvent(new DragEvent("drop", options));
}"""


@pytest.fixture
def fatigue(transactional_db):
    return Category.objects.create(name="Fatigue", slug="fatigue")


def sign_in(page, live_server):
    get_user_model().objects.create_superuser("chief", "chief@example.org", "a-long-pass-phrase")
    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", "chief")
    page.fill("#id_password", "a-long-pass-phrase")
    page.get_by_role("button", name="Log in").click()


def b64(data):
    return base64.b64encode(data).decode()


FIRST_WORDS = "Pacing is planning rest before you need it."
LATER_WORDS = "Pacing is resting whenever you feel like it."


def test_editor_journey_from_first_words_to_a_revoked_review_link(
    live_server, page, context, browser, settings, fatigue
):
    """One editor, one article: uploads that explain themselves, a closed tab, publishing
    refused for a placeholder description, a schedule, a restored revision, and a review
    link for a clinician that works signed out until it is revoked."""
    sign_in(page, live_server)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server.url + ADD)
    page.locator("#id_title").press_sequentially("Pacing on a bad day")
    page.fill("#id_summary", "Plan rest first.\nStop before the crash.")
    body = page.locator("#id_body")
    body.press_sequentially(FIRST_WORDS + "\n\n")
    message = page.locator(".editor-upload-message")

    # A phone photo (GPS, camera) goes in; a photo over 5 MB and a GIF are explained.
    page.evaluate(DROP, ["IMG_0042.jpg", "image/jpeg", b64(photo("JPEG", (1200, 800))), 0])
    expect(message).to_contain_text("IMG_0042.jpg was added")
    expect(body).to_have_value(
        re.compile(
            rf"^{re.escape(FIRST_WORDS)}\n\n!\[Describe this image\]\(/media/uploads/\w+\.jpg\)$"
        )
    )
    with_image = body.input_value()
    expect(page.locator(".markdownx-preview img")).to_have_count(1)
    [uploaded] = (settings.MEDIA_ROOT / "uploads").iterdir()
    assert b"FibroCam" not in uploaded.read_bytes()  # stored without the camera's notes

    big = image_bytes("JPEG", (640, 480)) + bytes(int(5.3 * 1024 * 1024))
    page.evaluate(DROP, ["holiday.jpg", "image/jpeg", b64(big), 0])
    expect(message).to_have_text("holiday.jpg: this image is 5.3 MB; images can be up to 5 MB.")
    expect(message).to_have_class(re.compile("errornote"))
    page.evaluate(DROP, ["dancing.gif", "image/gif", b64(image_bytes("GIF")), 0])
    expect(message).to_have_text(
        "dancing.gif: GIF images can't be used: save it as JPEG, PNG or WebP."
    )
    assert body.input_value() == with_image  # refusals never touch the text
    assert "Invalid response" not in body.input_value()
    assert len(list((settings.MEDIA_ROOT / "uploads").iterdir())) == 1

    # The tab is closed by mistake (leaving asks first); the text comes back.
    page.wait_for_timeout(700)  # the copy is kept half a second after typing stops
    asked = []
    page.on("dialog", lambda dialog: (asked.append(dialog.type), dialog.accept()))
    page.close(run_before_unload=True)
    page.wait_for_event("close")
    assert asked == ["beforeunload"]
    page = context.new_page()
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server.url + ADD)
    offer = page.locator(".editor-restore")
    expect(offer).to_contain_text("Restore unsaved text?")
    offer.get_by_role("button", name="Restore unsaved text").click()
    expect(page.locator("#id_title")).to_have_value("Pacing on a bad day")
    expect(page.locator("#id_summary")).to_have_value("Plan rest first.\nStop before the crash.")
    body = page.locator("#id_body")
    expect(body).to_have_value(with_image)

    # Publishing waits until the image is described; then the article is scheduled.
    page.fill("#id_slug", "pacing-on-a-bad-day")
    page.select_option("#id_category", label="Fatigue")
    page.check("input[name=status][value=published]")
    page.locator("input[name=_continue]").first.click()
    expect(page.locator(".errorlist")).to_contain_text(
        re.compile(r"Image 1 in the text \(\w+\.jpg\) says “Describe this image”")
    )
    expect(page.locator("#id_body")).to_have_value(with_image)
    assert not Article.objects.exists()  # nothing half-saved
    described = with_image.replace("Describe this image", "A sofa with a blanket and a timer")
    page.locator("#id_body").fill(described)
    page.get_by_label("Scheduled: goes live by itself at the publish date").check()
    page.fill("#id_publish_at_0", "2099-12-02")
    page.fill("#id_publish_at_1", "09:00:00")
    page.locator("input[name=_continue]").first.click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    article = Article.objects.get(slug="pacing-on-a-bad-day")
    assert article.is_scheduled and not article.is_live

    # A later edit, compared with the first save and undone by restoring that revision.
    page.locator("#id_body").fill(described.replace(FIRST_WORDS, LATER_WORDS))
    page.locator("input[name=_continue]").first.click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    page.get_by_role("link", name="History").click()
    page.get_by_role("button", name="Compare").click()
    expect(page.locator("ins").first).to_contain_text("whenever")
    page.go_back()
    page.get_by_role("button", name="Restore").click()
    expect(page.locator(".messagelist")).to_contain_text("is back as it was on")
    expect(page.locator("#id_body")).to_have_value(described)
    article.refresh_from_db()
    assert FIRST_WORDS in article.body and article.is_scheduled

    # A clinician without an account reads the draft through a secret link.
    page.get_by_role("link", name="Create a review link").click()
    page.fill("#id_reviewer", "Dr Kim Lee, rheumatologist")
    page.locator("input[name=_save]").click()
    address = page.locator("code.review-address").inner_text()
    assert "/review/" in address
    outsider = browser.new_context()  # signed out: no session cookie
    reviewer = outsider.new_page()
    review_url = live_server.url + "/review/" + address.split("/review/")[1]
    assert reviewer.goto(review_url).status == 200
    expect(reviewer.locator(".draft-banner")).to_contain_text("Draft for review")
    expect(reviewer.locator("h1")).to_have_text("Pacing on a bad day")
    expect(reviewer.locator(".prose")).to_contain_text("planning rest")
    # The photo reaches the reader through its sizes (made by the worker), not as uploaded.
    image = reviewer.locator(".prose picture img")
    expect(image).to_have_attribute("alt", "A sofa with a blanket and a timer")
    reviewer.wait_for_function("document.querySelector('.prose picture img').complete")
    shown = image.evaluate("i => [i.currentSrc, i.naturalWidth]")
    assert "/sizes/" in shown[0] and shown[1] > 0, shown
    assert_accessible(reviewer)

    page.locator("input[name=_selected_action]").first.check()
    page.select_option("select[name=action]", "revoke")
    page.get_by_role("button", name="Run").click()
    expect(page.locator(".messagelist")).to_contain_text("1 review link(s) revoked")
    assert reviewer.goto(review_url).status == 410
    expect(reviewer.locator("h1")).to_have_text("This review link no longer works")
    assert_accessible(reviewer)
    outsider.close()

    # Saved, the kept copy of the typing is forgotten: the next new article starts clean.
    page.goto(live_server.url + ADD)
    expect(page.locator("#id_title")).to_be_visible()
    expect(page.locator(".editor-restore")).to_have_count(0)


def test_bylines_lead_to_a_profile_page_that_fits_phones(live_server, page, demo, screenshot):
    Person.objects.filter(slug="medical-review-panel").update(
        links="https://www.nhs.uk/conditions/fibromyalgia/"
    )
    page.goto(live_server.url + LDN)
    page.get_by_role("link", name="FibroSite medical review panel").first.click()
    expect(page.locator("h1")).to_have_text("FibroSite medical review panel")
    expect(page.locator(".card-title")).to_contain_text("low-dose naltrexone")
    for name, size in (("desktop", {"width": 1280, "height": 900}), ("phone", PHONE)):
        page.set_viewport_size(size)
        for scheme in ("light", "dark"):
            page.emulate_media(color_scheme=scheme)
            screenshot(f"author-{name}-{scheme}")
        assert not page.evaluate("document.documentElement.scrollWidth > window.innerWidth")


def test_schedule_with_a_live_word_count_and_a_list_that_fits(
    live_server, page, demo, screenshot, settings
):
    sign_in(page, live_server)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server.url + ADD)
    count = page.locator("#body-count")
    expect(count).to_have_text("0 words · about 1 min read")
    page.locator("#id_body").fill("word " * 450)
    expect(count).to_have_text("450 words · about 2 min read")
    page.fill("#id_title", "Planning a calm December with fibromyalgia and a busy family")
    page.fill("#id_summary", "Plan rest days first.")
    page.select_option("#id_category", label="Fatigue")
    page.get_by_label("Scheduled: goes live by itself at the publish date").check()
    page.fill("#id_publish_at_0", "2099-12-02")
    page.fill("#id_publish_at_1", "09:00:00")
    page.locator("input[name=_save]").first.click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    article = Article.objects.get(
        slug="planning-a-calm-december-with-fibromyalgia-and-a-busy-family"
    )
    assert article.reading_minutes == 2 and article.is_scheduled

    row = page.locator("#result_list tr", has_text="Planning a calm December")
    expect(row.locator(".field-status_label")).to_have_text("Scheduled for 2 Dec 2099, 09:00")
    screenshot("editor-article-list-desktop")
    fits = page.evaluate(
        """() => {
        const box = document.querySelector('#changelist .results');
        const table = document.querySelector('#result_list').getBoundingClientRect();
        const cells = '#result_list td.field-title, #result_list th.field-title';
        const title = [...document.querySelectorAll(cells)]
          .map(cell => cell.getBoundingClientRect().height);
        return {right: table.right, width: box.getBoundingClientRect().right,
                hidden: box.scrollWidth - box.clientWidth,
                scroll: document.documentElement.scrollWidth, tallest: Math.max(...title)};
    }"""
    )
    assert fits["right"] <= fits["width"] and fits["hidden"] == 0, fits
    assert fits["scroll"] <= 1280, fits
    assert fits["tallest"] < 80, fits  # at most three lines of title


PREVIEW_BODY = (
    "## Warmth at night\n\nA **heat pack** before bed can ease stiff muscles.\n\n"
    "> [!TIP] Keep it gentle\n> Wrap it in a towel.\n\n"
)


def test_preview_sits_beside_the_text_on_wide_screens_in_the_sites_style(
    live_server, page, fatigue, settings
):
    sign_in(page, live_server)
    png = base64.b64encode(image_bytes("PNG", (800, 400))).decode()
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server.url + ADD)
    page.fill("#id_title", "Warmth at night")
    page.locator("#id_body").fill(PREVIEW_BODY)
    page.locator("#id_body").press("End")
    page.evaluate(DROP, ["landscape.png", "image/png", png, 0])
    expect(page.locator(".editor-upload-message")).to_contain_text("was added")
    preview = page.locator(".site-preview")
    expect(preview.locator("h2")).to_have_text("Warmth at night")
    expect(preview.locator("img")).to_have_count(1)
    page.wait_for_function(
        "document.querySelector('.site-preview').shadowRoot.querySelector('img').complete"
    )
    geometry = page.evaluate(
        """() => {
        const text = document.querySelector('#id_body').getBoundingClientRect();
        const box = document.querySelector('.site-preview');
        const shown = box.getBoundingClientRect();
        const img = box.shadowRoot.querySelector('img');
        const r = img.getBoundingClientRect();
        const h2 = box.shadowRoot.querySelector('h2');
        return {textRight: text.right, textTop: text.top, left: shown.left, top: shown.top,
                ratio: r.width / r.height, font: getComputedStyle(h2).fontFamily,
                adminFont: getComputedStyle(document.querySelector('#id_title')).fontFamily};
    }"""
    )
    page.locator(".field-body label").scroll_into_view_if_needed()
    page.evaluate(
        "window.scrollBy(0, document.querySelector('.field-body').getBoundingClientRect().top - 8)"
    )
    page.screenshot(path=str(SCREENSHOTS / "editor-side-by-side-desktop.png"))
    assert geometry["left"] >= geometry["textRight"], geometry  # beside, not below
    assert abs(geometry["top"] - geometry["textTop"]) < 5, geometry
    assert abs(geometry["ratio"] - 2) < 0.02, geometry  # the landscape image is not squashed
    assert geometry["font"].startswith("system-ui"), geometry  # the site's own stylesheet

    page.set_viewport_size(PHONE)
    below = page.evaluate(
        """() => [document.querySelector('#id_body').getBoundingClientRect().bottom,
                  document.querySelector('.site-preview').getBoundingClientRect().top]"""
    )
    assert below[1] >= below[0], below


def test_admin_home_shows_the_work_waiting(live_server, page, demo, screenshot):
    from community.models import Comment

    article = Article.objects.get(slug=LDN.split("/")[2])
    Comment.objects.create(
        article=article, name="Sam", email="sam@example.org", body="Thank you.",
        consent_at=article.publish_at,
    )  # fmt: skip
    Article.objects.filter(pk=article.pk).update(last_reviewed="2024-01-10")
    sign_in(page, live_server)
    page.set_viewport_size({"width": 1280, "height": 900})
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        page.goto(live_server.url + "/admin/")
        screenshot(f"admin-home-desktop-{scheme}")
    expect(page.locator("#moderation-summary")).to_contain_text("1 comment awaiting moderation")
    expect(page.locator("#review-due")).to_contain_text("Is low-dose naltrexone")
    page.get_by_role("link", name="Moderate them").click()
    expect(page.locator("#result_list tbody tr").first).to_contain_text("Awaiting moderation")


def test_share_card_preview_follows_the_editor(live_server, page, fatigue, tmp_path):
    sign_in(page, live_server)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server.url + ADD)
    card = page.locator(".share-card")
    page.fill("#id_title", "Warmth at night")
    page.fill("#id_summary", "A heat pack eases stiffness.\nKeep it gentle.")
    expect(card.locator(".share-card-title")).to_have_text("Warmth at night")
    expect(card.locator(".share-card-description")).to_have_text(
        "A heat pack eases stiffness. Keep it gentle."
    )
    page.fill("#id_meta_description", "Simple ways to sleep warmer with fibromyalgia.")
    expect(card.locator(".share-card-description")).to_have_text(
        "Simple ways to sleep warmer with fibromyalgia."
    )
    picture = tmp_path / "card.png"
    picture.write_bytes(image_bytes("PNG", (1200, 630)))
    page.set_input_files("#id_social_image", str(picture))
    expect(card.locator("img")).to_have_attribute("src", re.compile(r"^data:image/png;base64,"))
    ratio = card.locator("img").evaluate(
        "i => i.getBoundingClientRect().width / i.getBoundingClientRect().height"
    )
    assert abs(ratio - 1200 / 630) < 0.02
    page.locator(".field-share_card").screenshot(path=str(SCREENSHOTS / "editor-share-card.png"))
