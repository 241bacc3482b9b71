"""Anonymous page caching and its invalidation (filled in by the production issue).

Model saves and deletes in the content apps are picked up by signals. Code that
changes content without signals (``QuerySet.update()``, e.g. admin bulk actions)
must call ``content_changed()`` itself.
"""


def content_changed():
    """Mark every cached public page stale."""
