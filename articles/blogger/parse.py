"""Read a Blogger export, either format, as a stream of entries.

Google Takeout's ``feed.atom`` marks entries with ``blogger:type`` / ``blogger:status``
(namespace http://schemas.google.com/blogger/2018); the older "Back up content" file is
plain Atom with ``kind#post`` / ``kind#page`` / ``kind#comment`` categories,
``app:draft`` and ``thr:in-reply-to``. Both are parsed with defusedxml (no DTDs, no
entity expansion, no external references), element by element, so memory stays bounded
whatever the size of the file.
"""

import re
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

ATOM = "{http://www.w3.org/2005/Atom}"
BLOGGER = "{http://schemas.google.com/blogger/2018}"
APP = "{http://purl.org/atom/app#}"
THR = "{http://purl.org/syndication/thread/1.0}"
KIND_SCHEME = "http://schemas.google.com/g/2005#kind"
KIND_PREFIX = "http://schemas.google.com/blogger/2008/kind#"
LABEL_SCHEMES = ("http://www.blogger.com/atom/ns#",)

POST, PAGE, COMMENT = "post", "page", "comment"
LIVE, DRAFT, DELETED = "live", "draft", "deleted"
TAKEOUT, BACKUP = "takeout", "backup"
NOT_BLOGGER = "not a Blogger export (no Blogger posts, pages or comments found)"


class ExportError(Exception):
    """The file is refused; the message is one line for the editor."""


@dataclass
class Entry:
    kind: str
    blogger_id: str
    status: str
    title: str = ""
    html: str = ""
    published: datetime | None = None
    updated: datetime | None = None
    labels: list = field(default_factory=list)
    path: str = ""  # the address on Blogger, e.g. /2025/06/some-post.html or /p/about.html
    parent_id: str = ""  # comments: the post's Blogger id
    author: str = ""
    format: str = ""


def blogger_id(text):
    """The number at the end of a Blogger id ("tag:blogger.com,1999:blog-1.post-42" -> "42").

    The two formats spell ids differently around the number, and the number alone is
    unique across Blogger, so entries are matched on it.
    """
    found = re.search(r"(\d+)\s*$", text or "")
    return found.group(1) if found else ""


def _date(text):
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo else None


def _text(element, tag):
    child = element.find(tag)
    return (child.text or "").strip() if child is not None else ""


def _author(element):
    author = element.find(f"{ATOM}author")
    # Only the display name: export files also carry addresses, which never leave here.
    return _text(author, f"{ATOM}name")[:100] if author is not None else ""


def _takeout_entry(element, kind_text):
    kind = {"POST": POST, "PAGE": PAGE, "COMMENT": COMMENT}.get(kind_text.upper())
    if kind is None:
        return None
    status_text = _text(element, f"{BLOGGER}status").upper()
    status = {"LIVE": LIVE, "DRAFT": DRAFT}.get(status_text, DELETED)
    return Entry(
        kind=kind,
        blogger_id=blogger_id(_text(element, f"{ATOM}id")),
        status=status,
        path=_text(element, f"{BLOGGER}filename"),
        parent_id=blogger_id(_text(element, f"{BLOGGER}parent")),
        format=TAKEOUT,
    )


def _backup_entry(element):
    kind = None
    for category in element.iterfind(f"{ATOM}category"):
        if category.get("scheme") == KIND_SCHEME:
            term = category.get("term", "")
            if term.startswith(KIND_PREFIX):
                kind = {"post": POST, "page": PAGE, "comment": COMMENT}.get(
                    term.removeprefix(KIND_PREFIX)
                )
    if kind is None:
        return None  # settings and template entries
    draft = element.find(f"{APP}control/{APP}draft")
    status = DRAFT if draft is not None and (draft.text or "").strip().lower() == "yes" else LIVE
    path = ""
    for link in element.iterfind(f"{ATOM}link"):
        if link.get("rel") == "alternate" and link.get("href"):
            path = urlsplit(link.get("href")).path
    reply_to = element.find(f"{THR}in-reply-to")
    parent = blogger_id(reply_to.get("ref", "")) if reply_to is not None else ""
    return Entry(
        kind=kind,
        blogger_id=blogger_id(_text(element, f"{ATOM}id")),
        status=status,
        path=path,
        parent_id=parent,
        format=BACKUP,
    )


def _entry(element):
    kind_text = _text(element, f"{BLOGGER}type")
    entry = _takeout_entry(element, kind_text) if kind_text else _backup_entry(element)
    if entry is None or not entry.blogger_id:
        return None
    entry.title = _text(element, f"{ATOM}title")[:200]
    content = element.find(f"{ATOM}content")
    entry.html = (content.text or "") if content is not None else ""
    entry.published = _date(_text(element, f"{ATOM}published"))
    entry.updated = _date(_text(element, f"{ATOM}updated")) or entry.published
    entry.author = _author(element)
    entry.labels = [
        category.get("term", "").strip()
        for category in element.iterfind(f"{ATOM}category")
        if category.get("scheme") != KIND_SCHEME and category.get("term", "").strip()
    ]
    return entry


def entries(source):
    """Yield each post, page and comment of an export file (a path or binary file).

    Raises ExportError, with a one-line reason, for anything that is not a whole,
    well-formed Blogger export. Callers that must not act on a bad file read it to the
    end once before writing anything (see importer.scan).
    """
    found = 0
    root = None
    try:
        for event, element in iterparse(source, events=("start", "end"), forbid_dtd=True):
            if event == "start":
                if root is None:
                    root = element
                    if element.tag != f"{ATOM}feed":
                        raise ExportError(NOT_BLOGGER)
                continue
            if element.tag == f"{ATOM}entry":
                entry = _entry(element)
                root.clear()  # drop what was read: memory stays bounded
                if entry is not None:
                    found += 1
                    yield entry
    except DefusedXmlException as error:
        raise ExportError(
            f"refused: the file uses XML features not allowed here ({error})"
        ) from None
    except ParseError as error:
        line, column = getattr(error, "position", (0, 0))
        reason = "it ends too early" if "no element found" in str(error) else "malformed XML"
        raise ExportError(
            f"not a complete XML file ({reason}, line {line}, column {column})"
        ) from None
    if root is None:
        raise ExportError("the file is empty")
    if not found:
        raise ExportError(NOT_BLOGGER)
