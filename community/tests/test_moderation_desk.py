"""The admin home and lists put waiting work first; messages open as read, senders as links."""

from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.utils import timezone

from community.models import Comment, ContactMessage
from community.tests.test_admin import make_comment, make_message

pytestmark = pytest.mark.django_db


def test_admin_home_shows_comments_awaiting_moderation_with_a_link(admin_client, article):
    make_comment(article, _quantity=2, status=Comment.Status.PENDING)
    make_comment(article, status=Comment.Status.APPROVED)
    html = admin_client.get("/admin/").content.decode()
    assert "<strong>2 comments awaiting moderation.</strong>" in html
    assert 'href="/admin/community/comment/?status__exact=pending">Moderate them</a>' in html
    Comment.objects.update(status=Comment.Status.APPROVED)
    assert "No comments waiting." in admin_client.get("/admin/").content.decode()


def test_editors_who_cannot_moderate_see_no_comment_count(client, django_user_model):
    editor = django_user_model.objects.create_user("ed", password="pw", is_staff=True)
    client.force_login(editor)
    assert "moderation-summary" not in client.get("/admin/").content.decode()


def test_comment_list_puts_waiting_comments_first_with_their_status(admin_client, article):
    now = timezone.now()
    make_comment(article, name="Old waiting", status="pending", created=now - timedelta(days=9))
    make_comment(article, name="New approved", status="approved", created=now)
    make_comment(article, name="New waiting", status="pending", created=now - timedelta(days=1))
    html = admin_client.get("/admin/community/comment/").content.decode()
    order = [html.index(name) for name in ("New waiting", "Old waiting", "New approved")]
    assert order == sorted(order)
    body = html[html.index("<tbody>") :]
    first_row = body[: body.index("</tr>")]
    assert "New waiting" in first_row
    assert "<strong>Awaiting moderation</strong>" in first_row


def test_opening_a_new_message_marks_it_read_once(admin_client, admin_user):
    message = make_message(name="Ana", email="ana+fibro@example.com", status="new")
    url = f"/admin/community/contactmessage/{message.pk}/change/"
    html = admin_client.get(url).content.decode()
    assert '<a href="mailto:ana+fibro@example.com">ana+fibro@example.com</a>' in html
    message.refresh_from_db()
    assert message.status == ContactMessage.Status.READ
    assert "1 new message" not in admin_client.get("/admin/").content.decode()
    entry = LogEntry.objects.get(object_id=str(message.pk))
    assert entry.user == admin_user and entry.get_change_message() == "Opened: read."
    admin_client.get(url)  # opening again changes nothing and logs nothing more
    assert LogEntry.objects.filter(object_id=str(message.pk)).count() == 1
    answered = make_message(status="answered")
    admin_client.get(f"/admin/community/contactmessage/{answered.pk}/change/")
    assert ContactMessage.objects.get(pk=answered.pk).status == "answered"


def test_a_viewer_who_cannot_change_messages_leaves_them_new(client, django_user_model):
    viewer = django_user_model.objects.create_user("viewer", password="pw", is_staff=True)
    viewer.user_permissions.set(Permission.objects.filter(codename="view_contactmessage"))
    client.force_login(viewer)
    message = make_message(status="new")
    assert client.get(f"/admin/community/contactmessage/{message.pk}/change/").status_code == 200
    assert ContactMessage.objects.get(pk=message.pk).status == "new"


def test_a_hostile_sender_address_is_escaped_in_the_mail_link(admin_client):
    message = make_message(email='x"><script>alert(1)</script>@example.com')
    html = admin_client.get(f"/admin/community/contactmessage/{message.pk}/change/").content
    assert b"<script>alert(1)" not in html
    assert b'href="mailto:x%22%3E%3Cscript%3Ealert%281%29%3C%2Fscript%3E@example.com"' in html


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("/admin/store/product/add/", "The web address: /store/product/&lt;slug&gt;/."),
        ("/admin/store/product/add/", "Shown on the button: &#x27;Buy at &lt;shop name&gt;&#x27;."),
        ("/admin/store/productcategory/add/", "The web address: /store/&lt;slug&gt;/."),
        ("/admin/articles/person/add/", "The profile&#x27;s web address: /authors/&lt;slug&gt;/."),
    ],
)
def test_help_texts_show_their_placeholders(admin_client, url, shown):
    assert shown in admin_client.get(url).content.decode()
