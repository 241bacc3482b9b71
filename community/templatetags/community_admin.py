from django import template

from community.models import Comment, ContactMessage

register = template.Library()


@register.simple_tag(takes_context=True)
def new_contact_messages(context):
    """The count of new inbox messages for the admin index, or None without permission."""
    user = context["request"].user
    if not user.has_perm("community.view_contactmessage"):
        return None
    return ContactMessage.objects.filter(status=ContactMessage.Status.NEW).count()


@register.simple_tag(takes_context=True)
def pending_comments(context):
    """The count of comments waiting for moderation, or None without permission."""
    user = context["request"].user
    if not user.has_perm("community.change_comment"):
        return None
    return Comment.objects.filter(status=Comment.Status.PENDING).count()
