"""Write small Blogger exports in either format (the demo sample and the tests use it).

Entries are dicts: kind (post/page/comment), id (digits), status (live/draft/deleted),
title, html, published, updated (ISO strings), labels, path, parent, author.
"""

from xml.sax.saxutils import escape, quoteattr

BLOG = "tag:blogger.com,1999:blog-7700112233"
SITE = "https://fibrowomens.blogspot.com"


def _common(entry):
    labels = "".join(
        f"<category scheme='http://www.blogger.com/atom/ns#' term={quoteattr(label)}/>"
        for label in entry.get("labels", [])
    )
    return (
        f"<published>{entry['published']}</published>"
        f"<updated>{entry.get('updated', entry['published'])}</updated>"
        f"<title type='text'>{escape(entry.get('title', ''))}</title>"
        f"<content type='html'>{escape(entry.get('html', ''))}</content>"
        f"<author><name>{escape(entry.get('author', 'Blog owner'))}</name>"
        f"<email>noreply@blogger.com</email></author>{labels}"
    )


def takeout(entries):
    """Google Takeout's feed.atom."""
    parts = []
    for entry in entries:
        kind = entry["kind"]
        own = "post" if kind != "page" else "page"
        parent = (
            f"<blogger:parent>{BLOG}.post-{entry['parent']}</blogger:parent>"
            if kind == "comment"
            else ""
        )
        filename = (
            f"<blogger:filename>{escape(entry['path'])}</blogger:filename>"
            if entry.get("path") and entry.get("status", "live") != "draft"
            else ""
        )
        parts.append(
            f"<entry><id>{BLOG}.{own}-{entry['id']}</id>{parent}"
            f"<blogger:type>{kind.upper()}</blogger:type>"
            f"<blogger:status>{entry.get('status', 'live').upper()}</blogger:status>"
            f"{_common(entry)}{filename}</entry>"
        )
    return (
        "<?xml version='1.0' encoding='utf-8'?>\n"
        "<feed xmlns='http://www.w3.org/2005/Atom' "
        "xmlns:blogger='http://schemas.google.com/blogger/2018'>"
        f"<id>{BLOG}</id><title>Fibro notes</title>" + "".join(parts) + "</feed>\n"
    )


def backup(entries):
    """The older Settings > Back up content file (deleted entries are simply absent)."""
    parts = []
    for entry in entries:
        if entry.get("status", "live") == "deleted":
            continue
        kind = entry["kind"]
        own = "page" if kind == "page" else "post"
        draft = (
            "<app:control xmlns:app='http://purl.org/atom/app#'><app:draft>yes</app:draft>"
            "</app:control>"
            if entry.get("status") == "draft"
            else ""
        )
        link = (
            f"<link rel='alternate' type='text/html' href={quoteattr(SITE + entry['path'])}/>"
            if entry.get("path") and entry.get("status", "live") != "draft"
            else ""
        )
        reply = (
            "<thr:in-reply-to xmlns:thr='http://purl.org/syndication/thread/1.0' "
            f"ref='{BLOG}.post-{entry['parent']}' type='text/html'/>"
            if kind == "comment"
            else ""
        )
        parts.append(
            f"<entry><id>{BLOG}.{own}-{entry['id']}</id>"
            "<category scheme='http://schemas.google.com/g/2005#kind' "
            f"term='http://schemas.google.com/blogger/2008/kind#{kind}'/>"
            f"{_common(entry)}{link}{draft}{reply}</entry>"
        )
    settings_entry = (
        f"<entry><id>{BLOG}.settings.BLOG_NAME</id>"
        "<category scheme='http://schemas.google.com/g/2005#kind' "
        "term='http://schemas.google.com/blogger/2008/kind#settings'/>"
        "<title type='text'></title><content type='text'>Fibro notes</content></entry>"
    )
    return (
        "<?xml version='1.0' encoding='UTF-8'?>\n"
        "<feed xmlns='http://www.w3.org/2005/Atom' "
        "xmlns:openSearch='http://a9.com/-/spec/opensearchrss/1.0/' "
        "xmlns:gd='http://schemas.google.com/g/2005'>"
        f"<id>{BLOG}.archive</id><generator version='7.00' uri='http://www.blogger.com'>"
        "Blogger</generator>" + settings_entry + "".join(parts) + "</feed>\n"
    )
