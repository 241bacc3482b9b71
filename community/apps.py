from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "community"
    verbose_name = "Community: inbox, comments, subscribers, links"

    def ready(self):
        from community.models import Comment, CommunitySettings, SiteLink
        from core import pagecache

        # What public pages show. Messages, signups and the outbox never appear on one; a
        # comment only once approved, so one awaiting moderation leaves cached pages be.
        pagecache.public(SiteLink, CommunitySettings)
        pagecache.public(Comment, shown=lambda comment: comment.status == comment.Status.APPROVED)
