import csv
import io

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.utils import timezone
from model_bakery import baker

from community.models import (
    Comment,
    CommunitySettings,
    ContactMessage,
    OutboundEmail,
    SiteLink,
    Subscriber,
)

pytestmark = pytest.mark.django_db


def make_message(**fields):
    return baker.make(ContactMessage, consent_at=timezone.now(), **fields)


def make_comment(article, **fields):
    return baker.make(Comment, article=article, consent_at=timezone.now(), **fields)


def act(admin_client, model, action, objects, **extra):
    return admin_client.post(
        f"/admin/community/{model}/",
        {"action": action, "_selected_action": [o.pk for o in objects], **extra},
        follow=True,
    )


@pytest.mark.parametrize(
    "model", ["contactmessage", "comment", "subscriber", "sitelink", "outboundemail"]
)
def test_changelists_open_with_few_queries(
    admin_client, article, model, django_assert_max_num_queries
):
    """list_select_related keeps changelists from querying once per row."""
    make_message(_quantity=30, email="a@example.com")
    make_comment(article, _quantity=30)
    baker.make(Subscriber, consented_at=timezone.now(), _quantity=30)
    baker.make(SiteLink, url="https://a.example", _quantity=30)
    baker.make(OutboundEmail, to=["a@example.com"], _quantity=30)

    with django_assert_max_num_queries(15):
        response = admin_client.get(f"/admin/community/{model}/")
    assert response.status_code == 200


def test_admin_index_shows_the_count_of_new_messages(admin_client):
    make_message(_quantity=3, status=ContactMessage.Status.NEW)
    make_message(status=ContactMessage.Status.ANSWERED)

    html = admin_client.get("/admin/").content.decode()

    assert "3 new messages" in html
    assert "/admin/community/contactmessage/?status__exact=new" in html


def test_editors_without_inbox_permission_see_no_count(client):
    editor = get_user_model().objects.create_user("ed", password="pw", is_staff=True)
    client.force_login(editor)
    make_message()
    assert "new message" not in client.get("/admin/").content.decode()


def test_inbox_filters_search_and_detail(admin_client):
    make_message(name="Ana", email="ana@example.com", message="About <b>sleep</b>")
    make_message(name="Ben", status=ContactMessage.Status.SPAM)

    listing = admin_client.get("/admin/community/contactmessage/?status__exact=new&q=sleep")
    assert "Ana" in listing.content.decode() and "Ben" not in listing.content.decode()
    detail = admin_client.get(
        f"/admin/community/contactmessage/{ContactMessage.objects.get(name='Ana').pk}/change/"
    )
    assert "About &lt;b&gt;sleep&lt;/b&gt;" in detail.content.decode()


def test_inbox_bulk_actions(admin_client, admin_user):
    messages = [make_message(), make_message()]

    act(admin_client, "contactmessage", "mark_answered", messages)
    assert set(ContactMessage.objects.values_list("status", flat=True)) == {"answered"}
    act(admin_client, "contactmessage", "assign_to_me", messages[:1])
    assert ContactMessage.objects.filter(assignee=admin_user).count() == 1


def test_inbox_assignee_and_notes_are_saved(admin_client, admin_user):
    message = make_message()
    admin_client.post(
        f"/admin/community/contactmessage/{message.pk}/change/",
        {"status": "in_progress", "assignee": admin_user.pk, "notes": "Call back Monday"},
    )
    message.refresh_from_db()
    assert (message.status, message.assignee, message.notes) == (
        "in_progress",
        admin_user,
        "Call back Monday",
    )


def test_inbox_csv_export_neutralises_formulas(admin_client):
    message = make_message(name="=HYPERLINK(1)", email="ana@example.com", message="Hi")

    response = act(admin_client, "contactmessage", "export_csv", [message])

    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["received", "name", "email"]
    assert rows[1][1] == "'=HYPERLINK(1)" and rows[1][2] == "ana@example.com"


def test_comment_moderation_actions_and_the_page_updates(admin_client, client, article):
    pending = make_comment(article, name="Jo", body="Helpful, thanks")
    other = make_comment(article, body="Buy pills")
    assert "Helpful, thanks" not in client.get(article.get_absolute_url()).content.decode()

    act(admin_client, "comment", "mark_approved", [pending])
    act(admin_client, "comment", "mark_spam", [other])

    assert Comment.objects.get(pk=pending.pk).status == "approved"
    assert Comment.objects.get(pk=other.pk).status == "spam"
    assert "Helpful, thanks" in client.get(article.get_absolute_url()).content.decode()

    act(admin_client, "comment", "mark_rejected", [pending])
    assert "Helpful, thanks" not in client.get(article.get_absolute_url()).content.decode()


def test_comments_filter_by_article_and_state(admin_client, article):
    make_comment(article, body="Kept", status="approved")
    make_comment(article, body="Dropped", status="rejected")
    html = admin_client.get(
        f"/admin/community/comment/?article__id__exact={article.pk}&status__exact=approved"
    ).content.decode()
    assert "Kept" in html and "Dropped" not in html


def test_editor_reply_is_saved_with_its_author(admin_client, admin_user, article, client):
    comment = make_comment(article, status="approved")
    admin_client.post(
        f"/admin/community/comment/{comment.pk}/change/",
        {"status": "approved", "reply": "Thank you for sharing."},
    )
    comment.refresh_from_db()
    assert comment.reply == "Thank you for sharing." and comment.reply_by == admin_user
    assert comment.replied_at
    html = client.get(article.get_absolute_url()).content.decode()
    assert "FibroSite replied" in html and "Thank you for sharing." in html


def test_subscriber_export(admin_client):
    people = baker.make(
        Subscriber, consented_at=timezone.now(), consent_text="I agree", _quantity=2
    )
    response = act(admin_client, "subscriber", "export_csv", people)
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert len(rows) == 3 and rows[0][0] == "email"
    assert {row[0] for row in rows[1:]} == {p.email for p in people}


def test_erase_action_removes_everything_for_an_address_and_reports_it(admin_client, article):
    make_message(email="ana@example.com")
    make_message(email="ANA@example.com")
    make_message(email="keep@example.com")
    make_comment(article, email="ana@example.com", status="approved", body="Gone soon")
    baker.make(Subscriber, email="Ana@Example.com", consented_at=timezone.now())
    baker.make(OutboundEmail, to=["editors@x.test"], person_email="ana@example.com")
    chosen = ContactMessage.objects.filter(email="ana@example.com")

    # First the editor sees what will go, and nothing is deleted yet.
    confirm = act(admin_client, "contactmessage", "erase_personal_data", chosen).content.decode()
    assert "This cannot be undone" in confirm and "ana@example.com" in confirm
    assert "2 contact messages" in confirm and "1 subscribers" in confirm
    assert ContactMessage.objects.count() == 3 and Subscriber.objects.exists()

    response = act(admin_client, "contactmessage", "erase_personal_data", chosen, confirm="yes")
    html = response.content.decode()
    assert "Removed 2 contact messages, 1 comments, 1 subscribers, 1 emails in the outbox" in html
    assert list(ContactMessage.objects.values_list("email", flat=True)) == ["keep@example.com"]
    assert not Comment.objects.exists() and not Subscriber.objects.exists()
    assert not OutboundEmail.objects.exists()


def test_site_links_are_edited_in_the_list_and_shown_in_the_footer(admin_client, client):
    link = baker.make(
        SiteLink, section="blogs", label="Fibro blog", url="https://blog.example", order=1
    )
    response = admin_client.post(
        "/admin/community/sitelink/",
        {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "1",
            "form-0-id": link.pk,
            "form-0-order": "5",
            "form-0-active": "",
            "_save": "Save",
        },
    )
    assert response.status_code == 302
    link.refresh_from_db()
    assert (link.order, link.active) == (5, False)
    assert "Fibro blog" not in client.get("/faq/").content.decode()


def test_community_settings_is_a_single_row(admin_client):
    CommunitySettings(whatsapp_invite_url="https://chat.whatsapp.com/abc").save()
    assert admin_client.get("/admin/community/communitysettings/add/").status_code == 403
    CommunitySettings(whatsapp_rules="Be kind").save()
    assert CommunitySettings.objects.count() == 1


def test_failed_mail_can_be_retried_from_the_admin(admin_client):
    row = baker.make(OutboundEmail, to=["a@example.com"], status="failed", attempts=10)
    act(admin_client, "outboundemail", "retry_now", [row])
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("pending", 0)


def test_view_only_staff_get_no_actions_that_change_or_erase(client, django_user_model):
    viewer = django_user_model.objects.create_user("viewer", password="pw", is_staff=True)
    viewer.user_permissions.set(
        Permission.objects.filter(codename__in=["view_contactmessage", "view_outboundemail"])
    )
    client.force_login(viewer)
    message = make_message(email="ana@example.com")
    for model in ("contactmessage", "outboundemail"):
        page = client.get(f"/admin/community/{model}/").content.decode()
        for action in ("erase_personal_data", "mark_spam", "assign_to_me", "retry_now"):
            assert f'value="{action}"' not in page
    response = act(client, "contactmessage", "erase_personal_data", [message], confirm="yes")
    assert ContactMessage.objects.filter(pk=message.pk).exists()
    assert response.status_code == 200


def test_editors_cannot_confirm_a_subscriber_by_hand_but_can_unsubscribe(admin_client):
    person = baker.make(Subscriber, email="ana@example.com", consented_at=timezone.now())
    page = admin_client.get(f"/admin/community/subscriber/{person.pk}/change/").content.decode()
    assert 'name="status"' not in page
    act(admin_client, "subscriber", "unsubscribe_selected", [person])
    person.refresh_from_db()
    assert person.status == Subscriber.Status.UNSUBSCRIBED


def test_erasing_an_address_also_clears_the_admin_history_that_names_the_person(admin_client):
    from django.contrib.admin.models import CHANGE, DELETION, LogEntry
    from django.contrib.contenttypes.models import ContentType

    admin = get_user_model().objects.get(username="admin")
    message = make_message(name="Ana Ruiz", email="ana@example.com", topic="question")
    earlier = make_message(name="Ana Ruiz", email="ana@example.com", topic="question")
    keep = make_message(name="Bea Keep", email="keep@example.com", topic="question")
    person = baker.make(Subscriber, email="ana@example.com", consented_at=timezone.now())
    # The history the admin itself writes: a status change on the message and the subscriber...
    for obj, model in (
        (message, "contactmessage"),
        (person, "subscriber"),
        (keep, "contactmessage"),
    ):
        page = admin_client.get(f"/admin/community/{model}/{obj.pk}/change/")
        form = {k: v for k, v in page.context["adminform"].form.initial.items() if v is not None}
        admin_client.post(f"/admin/community/{model}/{obj.pk}/change/", {**form, "notes": "seen"})
    # ...and a row deleted earlier, whose history entry still carries the name.
    LogEntry.objects.log_actions(admin.pk, [earlier], DELETION)
    earlier.delete()
    LogEntry.objects.create(
        user=admin, content_type=ContentType.objects.get_for_model(Subscriber),
        object_id="999", object_repr="ana@example.com", action_flag=CHANGE,
    )  # fmt: skip
    logged = " | ".join(LogEntry.objects.values_list("object_repr", flat=True))
    # Opening the message ("read"), changing it, and the deleted one: three entries name Ana.
    assert logged.count("Ana Ruiz: ") == 3 and "ana@example.com" in logged and "Bea Keep" in logged
    assert LogEntry.objects.filter(object_id=str(message.pk), action_flag=CHANGE).exists()

    response = act(admin_client, "contactmessage", "erase_personal_data", [message], confirm="yes")
    assert "admin history entries" in response.content.decode()
    for entry in LogEntry.objects.all():
        assert "ana" not in entry.object_repr.lower() and "ruiz" not in entry.object_repr.lower()
        assert "ana@example.com" not in entry.change_message
    assert LogEntry.objects.filter(object_repr__startswith="Bea Keep").exists()
