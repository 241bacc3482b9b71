"""Comments: only approved ones are public, so only they make cached pages stale.

Comment is listed in PAGECACHE_PRIVATE_MODELS so the page cache's catch-all
signal does not flush every page when a visitor sends a comment for moderation;
this receiver invalidates when a comment that is (or was) public changes. Site
links and community settings are left to the page cache's own signals.
"""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from community.models import Comment
from core.pagecache import content_changed


@receiver(post_save, sender=Comment)
@receiver(post_delete, sender=Comment)
def comment_changed(sender, instance, created=False, raw=False, **kwargs):
    if raw or (created and instance.status != Comment.Status.APPROVED):
        return
    content_changed()
