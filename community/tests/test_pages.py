from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from model_bakery import baker

from community.models import Comment, CommunitySettings, SiteLink

pytestmark = pytest.mark.django_db


def test_whatsapp_page_shows_rules_and_the_phone_number_note_before_the_link(client):
    CommunitySettings(
        whatsapp_invite_url="https://chat.whatsapp.com/abc",
        whatsapp_rules="Be kind\n- No selling <script>x</script>\n",
    ).save()

    html = client.get("/community/whatsapp/").content.decode()

    assert "<li>Be kind</li>" in html and "&lt;script&gt;" in html
    note = html.index("can see every member's phone number")
    assert note < html.index('href="https://chat.whatsapp.com/abc"')


def test_whatsapp_page_without_an_invite_link_says_so(client):
    html = client.get("/community/whatsapp/").content.decode()
    assert "chat.whatsapp.com" not in html
    assert "The invite link isn't available right now" in html


def test_privacy_page(client):
    html = client.get("/privacy/").content.decode()
    assert "<h1>Privacy</h1>" in html and "Having your data erased" in html


def test_footer_shows_active_links_by_section_in_one_query(client):
    baker.make(SiteLink, section="blogs", label="Blog B", url="https://b.example", order=2)
    baker.make(SiteLink, section="blogs", label="Blog A", url="https://a.example", order=1)
    baker.make(SiteLink, section="stores", label="Hidden", url="https://h.example", active=False)
    baker.make(SiteLink, section="more_info", label="NHS", url="https://nhs.example")

    with CaptureQueriesContext(connection) as captured:
        html = client.get("/faq/").content.decode()

    assert len([q for q in captured if "community_sitelink" in q["sql"]]) == 1
    assert '<nav aria-label="Official fibromyalgia blogs">' in html
    assert html.index("NHS") < html.index("Blog A") < html.index("Blog B")
    assert "Hidden" not in html and 'aria-label="Fibromyalgia stores"' not in html
    assert 'href="/contact/"' in html and 'href="/privacy/"' in html


def test_header_and_home_teaser_link_to_the_community(client):
    html = client.get("/").content.decode()
    assert '<li><a href="/community/">Community</a></li>' in html
    assert '<li><a href="/contact/">Contact</a></li>' in html
    assert "Get the latest updates" in html and 'href="/community/whatsapp/"' in html


def test_signup_page_uses_the_site_look_and_big_labels(client):
    html = client.get("/community/").content.decode()
    assert "site.css" in html and 'autocomplete="email"' in html
    assert 'class="hp" aria-hidden="true"' in html and 'tabindex="-1"' in html


def test_load_demo_adds_links_settings_and_approved_comments_once():
    call_command("load_demo", stdout=StringIO())
    counts = (SiteLink.objects.count(), Comment.objects.approved().count())
    call_command("load_demo", stdout=StringIO())

    assert counts == (SiteLink.objects.count(), Comment.objects.approved().count())
    assert {s for s in SiteLink.objects.values_list("section", flat=True)} == set(
        SiteLink.Section.values
    )
    assert counts[1] >= 3
    assert CommunitySettings.load().whatsapp_invite_url.startswith("https://chat.whatsapp.com/")
    assert Comment.objects.filter(article__slug="low-dose-naltrexone-fibromyalgia-fatigue").exists()
