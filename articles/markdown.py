"""Markdown to safe HTML, the one way: used on save and by the editor's live preview."""

import re
from dataclasses import dataclass, field
from html import unescape

import markdown
import nh3
from django.core.files.storage import default_storage
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor
from PIL import Image

from fibrosite.storage import media_name

ALLOWED_TAGS = {
    "a", "abbr", "blockquote", "br", "code", "dd", "del", "div", "dl", "dt", "em",
    "h2", "h3", "h4", "h5", "h6", "hr", "img", "li", "ol", "p", "pre", "strong",
    "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "id"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height", "loading", "decoding"},
    "li": {"id"},
    "sup": {"id"},
    **{f"h{level}": {"id"} for level in range(2, 7)},
}
ALLOWED_CLASSES = {"div": {"footnote"}, "a": {"footnote-ref", "footnote-backref"}}
# Removed with everything inside them, not just unwrapped.
DROP_WITH_CONTENT = {"script", "style", "iframe", "object", "embed", "template", "svg", "math"}
WORDS_PER_MINUTE = 200


class _Policy(Treeprocessor):
    """The page owns its single h1, so headings start at h2. Own-media images get their
    real size and lazy loading; any other image becomes a plain link."""

    def run(self, root):
        for element in root.iter("h1"):
            element.tag = "h2"
        for parent in root.iter():
            for element in parent:
                if element.tag != "img":
                    continue
                src, alt = element.get("src", ""), element.get("alt", "")
                name = media_name(src)
                size = _stored_image_size(name) if name else None
                if size is None:
                    element.tag = "a"
                    element.attrib.clear()
                    element.set("href", src)
                    element.text = alt or "Image (opens the picture)"
                    continue
                element.set("width", str(size[0]))
                element.set("height", str(size[1]))
                element.set("loading", "lazy")
                element.set("decoding", "async")


def _stored_image_size(name):
    try:
        with default_storage.open(name) as stored, Image.open(stored) as image:
            return image.size
    except Exception:  # missing or unreadable file: treat like a foreign image
        return None


class _SafeDefaults(Extension):
    def extendMarkdown(self, md):  # noqa: N802 - python-markdown's API name
        # Raw HTML in the source is shown as text, never passed through.
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        md.treeprocessors.register(_Policy(md), "fibrosite_policy", 10)  # before toc


@dataclass
class Rendered:
    html: str
    toc: list = field(default_factory=list)
    words: int = 0

    @property
    def reading_minutes(self):
        return max(1, round(self.words / WORDS_PER_MINUTE))


def render(text):
    """Render editor markdown to sanitised HTML, with a table of contents and a word count."""
    md = markdown.Markdown(
        extensions=[
            "tables",
            "fenced_code",
            "footnotes",
            "def_list",
            "abbr",
            "sane_lists",
            "toc",
            _SafeDefaults(),
        ],
        extension_configs={"toc": {"toc_depth": "2-3"}},
        output_format="html",
    )
    html = nh3.clean(
        md.convert(text or ""),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        clean_content_tags=DROP_WITH_CONTENT,
        url_schemes={"http", "https", "mailto"},
    )
    toc = [
        {"id": h["id"], "name": unescape(h["name"]), "children": [
            {"id": c["id"], "name": unescape(c["name"])} for c in h["children"]
        ]}
        for h in md.toc_tokens
    ]  # fmt: skip
    return Rendered(html=html, toc=toc, words=len(re.findall(r"\w+", text or "")))


def render_markdown(text):
    """MARKDOWNX_MARKDOWNIFY_FUNCTION: the live preview shows exactly what will be published."""
    return render(text).html
