from django.db import models


class ContentVersion(models.Model):
    """A single counter, raised once for each transaction that changes what public pages
    show (core/pagecache.py). It lives in the database so every gunicorn process and host
    sees a change, with or without Redis; cached pages are keyed on it."""

    number = models.PositiveBigIntegerField(default=0)

    def __str__(self):
        return f"content version {self.number}"
