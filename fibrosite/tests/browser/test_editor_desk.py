"""The editor's desk in a real browser: uploads that explain themselves, alt text, and more."""

import base64
import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from articles.models import Article, Category, Person
from articles.tests.conftest import image_bytes

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


def test_uploads_explain_refusals_and_publishing_waits_for_descriptions(
    live_server, page, settings, fatigue
):
    sign_in(page, live_server)
    page.goto(live_server.url + ADD)
    body = page.locator("#id_body")
    body.fill("Pacing helps.")
    message = page.locator(".editor-upload-message")

    png = base64.b64encode(image_bytes("PNG", (300, 200))).decode()
    page.evaluate(DROP, ["walk.png", "image/png", png, 0])
    expect(message).to_contain_text("walk.png was added")
    expect(body).to_have_value(
        re.compile(r"^Pacing helps\.!\[Describe this image\]\(/media/uploads/\w+\.png\)$")
    )
    with_image = body.input_value()
    expect(page.locator(".markdownx-preview img")).to_have_count(1)

    page.evaluate(DROP, ["holiday.jpg", "image/jpeg", "", int(6.2 * 1024 * 1024)])
    expect(message).to_have_text("holiday.jpg: this image is 6.2 MB; images can be up to 5 MB.")
    expect(message).to_have_class(re.compile("errornote"))

    gif = base64.b64encode(image_bytes("GIF")).decode()
    page.evaluate(DROP, ["dancing.gif", "image/gif", gif, 0])
    expect(message).to_have_text(
        "dancing.gif: GIF images can't be used: save it as JPEG, PNG or WebP."
    )
    assert body.input_value() == with_image
    assert "Invalid response" not in body.input_value()
    assert len(list((settings.MEDIA_ROOT / "uploads").iterdir())) == 1

    # Publishing is refused while the new image keeps the placeholder description.
    page.fill("#id_title", "Walking on a good day")
    page.fill("#id_summary", "Walk a little.\nRest before you need to.")
    page.select_option("#id_category", label="Fatigue")
    page.check("input[name=status][value=published]")
    page.locator("input[name=_save]").first.click()
    expect(page.locator(".errorlist")).to_contain_text(
        re.compile(r"Image 1 in the text \(\w+\.png\) says “Describe this image”")
    )
    expect(page.locator("#id_body")).to_have_value(with_image)
    page.locator("#id_body").fill(with_image.replace("Describe this image", "A path by a lake"))
    page.locator("input[name=_save]").first.click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    assert Article.objects.get(slug="walking-on-a-good-day").is_live


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


def test_editor_compares_and_restores_a_revision(live_server, page, fatigue, screenshot):
    sign_in(page, live_server)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server.url + ADD)
    page.fill("#id_title", "Sleep on bad nights")
    page.fill("#id_summary", "Keep the same hours.")
    page.locator("#id_body").fill("Go to bed at the same time every night.")
    page.select_option("#id_category", label="Fatigue")
    page.locator("input[name=_continue]").first.click()
    errors = page.locator(".errorlist").all_inner_texts()
    assert errors == [], errors
    page.locator("#id_body").fill("Go to bed whenever you feel like it.")
    page.locator("input[name=_continue]").first.click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")

    page.get_by_role("link", name="History").click()
    page.get_by_role("button", name="Compare").click()
    expect(page.locator("ins").first).to_contain_text("whenever")
    screenshot("editor-compare-desktop")
    page.go_back()
    screenshot("editor-history-desktop")
    page.get_by_role("button", name="Restore").click()
    expect(page.locator(".messagelist")).to_contain_text("is back as it was on")
    expect(page.locator("#id_body")).to_have_value("Go to bed at the same time every night.")


def test_typing_survives_a_closed_tab_and_leaving_asks_first(live_server, page, context, fatigue):
    sign_in(page, live_server)
    page.goto(live_server.url + ADD)
    page.locator("#id_title").press_sequentially("Flare diary")
    page.fill("#id_summary", "Write it down.")
    page.locator("#id_body").press_sequentially("Note the day, the sleep, the pain.")
    expect(page.locator(".field-body .markdownx-preview")).to_contain_text("Note the day")
    page.wait_for_timeout(700)  # the copy is kept half a second after typing stops

    asked = []
    page.on("dialog", lambda dialog: (asked.append(dialog.type), dialog.accept()))
    page.close(run_before_unload=True)
    page.wait_for_event("close")
    assert asked == ["beforeunload"]

    again = context.new_page()
    again.goto(live_server.url + ADD)
    offer = again.locator(".editor-restore")
    expect(offer).to_contain_text("Restore unsaved text?")
    again.screenshot(path=str(SCREENSHOTS / "editor-restore-offer.png"))
    expect(again.locator("#id_body")).to_have_value("")
    offer.get_by_role("button", name="Restore unsaved text").click()
    expect(again.locator("#id_title")).to_have_value("Flare diary")
    expect(again.locator("#id_summary")).to_have_value("Write it down.")
    expect(again.locator("#id_body")).to_have_value("Note the day, the sleep, the pain.")
    expect(again.locator(".field-body .markdownx-preview")).to_contain_text("Note the day")

    # Saved: the kept copy is forgotten, so the next new article starts clean.
    again.select_option("#id_category", label="Fatigue")
    again.locator("input[name=_save]").first.click()
    expect(again.locator(".messagelist")).to_contain_text("was added successfully")
    again.goto(live_server.url + ADD)
    expect(again.locator("#id_title")).to_be_visible()
    expect(again.locator(".editor-restore")).to_have_count(0)


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


def test_review_link_opens_signed_out_then_stops_when_revoked(live_server, page, browser, fatigue):
    draft = Article.objects.create(
        title="Cold water swimming", slug="cold-water", summary="Careful.", body="Go slowly.",
        category=fatigue, status=Article.Status.DRAFT,
    )  # fmt: skip
    sign_in(page, live_server)
    page.goto(live_server.url + f"/admin/articles/article/{draft.pk}/change/")
    page.get_by_role("link", name="Create a review link").click()
    page.fill("#id_reviewer", "Dr Kim Lee, rheumatologist")
    page.locator("input[name=_save]").click()
    address = page.locator("code.review-address").inner_text()
    assert "/review/" in address

    outsider = browser.new_context()
    reviewer = outsider.new_page()
    reviewer.goto(live_server.url + "/review/" + address.split("/review/")[1])
    expect(reviewer.locator(".draft-banner")).to_contain_text("Draft for review")
    expect(reviewer.locator("h1")).to_have_text("Cold water swimming")

    page.locator("input[name=_selected_action]").first.check()
    page.select_option("select[name=action]", "revoke")
    page.get_by_role("button", name="Run").click()
    expect(page.locator(".messagelist")).to_contain_text("1 review link(s) revoked")
    reviewer.reload()
    expect(reviewer.locator("h1")).to_have_text("This review link no longer works")
    outsider.close()


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
