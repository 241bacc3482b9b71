"""Markdown to safe HTML, the one way: used on save and by the editor's live preview.

markdown-it-py parses (CommonMark: linear time, no recursion past a set depth), a few
core rules apply the site's policy to the tokens, and nh3 sanitises what comes out.
"""

import re
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import nh3
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.utils.html import escape
from django.utils.text import slugify
from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.footnote import footnote_plugin
from PIL import Image

from core.storage import media_name

# Limits that keep any input under about half a second of CPU (measured worst cases in
# test_markdown.py). A long article is 20,000-40,000 characters in a few hundred lines;
# brackets are links, images and footnotes, a few to a line.
MAX_CHARS = 50_000
MAX_BRACKETS = 5_000
MAX_LINES = 5_000
# Lists and quotes inside each other use one or two levels each (lists nest about eight
# deep); markdown-it silently stops reading deeper input, so reaching it is refused.
# Inline work on brackets grows with this number too.
MAX_NESTING = 20
WORDS_PER_MINUTE = 200

# Ids the page templates use around the article body (the skip link's target, the
# references section...): a heading called "References" must not take one of them.
# test_markdown.py checks this list against templates/.
RESERVED_IDS = {
    "about-heading", "categories-heading", "comments-heading", "community-heading",
    "community-links-heading", "content-main", "dry-run-report", "faq", "faq-heading",
    "change-history", "featured-heading", "help-faq", "help-newest", "help-topics",
    "import-report", "moderation-summary", "profile-name", "review-due",
    "import-status", "inbox-summary", "intro-heading",
    "key-points-heading", "latest-heading", "main", "privacy-heading", "products-heading",
    "references", "related-heading", "rules-heading", "search-page-q", "shop-this-heading",
    "shop-this-label", "site-search", "store-teaser-heading", "toc-heading",
}  # fmt: skip
RESERVED_ID_PREFIXES = {"comment", "faq", "faq-group", "restore"}  # e.g. id="comment-{{ pk }}"
RESERVED_ID_PATTERN = re.compile(rf"({'|'.join(RESERVED_ID_PREFIXES)})(-\d+)?")

CALLOUT_KINDS = {"warning": "Warning", "note": "Note", "tip": "Tip"}
CALLOUT_MARKER = re.compile(r"\[!(warning|note|tip)\][ \t]*([^\n]*)(?:\n|$)", re.IGNORECASE)

ALLOWED_TAGS = {
    "a", "abbr", "aside", "blockquote", "br", "code", "dd", "del", "div", "dl", "dt", "em",
    "h2", "h3", "h4", "h5", "h6", "hr", "img", "li", "ol", "p", "picture", "pre", "source",
    "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "id"},
    "abbr": {"title"},
    "aside": {"role", "aria-label"},
    "img": {"src", "srcset", "sizes", "alt", "title", "width", "height", "loading", "decoding"},
    "li": {"id"},
    "source": {"type", "srcset", "sizes"},
    "sup": {"id"},
    **{f"h{level}": {"id"} for level in range(2, 7)},
}
ALLOWED_CLASSES = {
    "aside": {"callout", *(f"callout-{kind}" for kind in CALLOUT_KINDS)},
    "p": {"callout-title"},
    "div": {"footnote"},
    "a": {"footnote-ref", "footnote-backref"},
}
# Removed with everything inside them, not just unwrapped.
DROP_WITH_CONTENT = {"script", "style", "iframe", "object", "embed", "template", "svg", "math"}


class TooComplex(ValueError):
    """Input the renderer refuses rather than spending seconds on or losing part of."""


def _attribute_filter(tag, name, value):
    # Only a callout's own landmark role gets through, whatever else reaches nh3.
    if name == "role" and value != "note":
        return None
    # Sizes of a body image (see _image) are our own media; nh3 does not check srcset.
    if name == "srcset" and not all(
        media_name(candidate.split()[0]) for candidate in value.split(",") if candidate.strip()
    ):
        return None
    if tag == "source" and name == "type" and value != "image/webp":
        return None
    return value


def sanitise(html):
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        attribute_filter=_attribute_filter,
        clean_content_tags=DROP_WITH_CONTENT,
        url_schemes={"http", "https", "mailto"},
    )


def check_limits(text):
    """Refuse input past the limits before spending time on it."""
    if len(text) > MAX_CHARS:
        raise TooComplex(
            f"This text is {len(text):,} characters long; the limit is {MAX_CHARS:,}. "
            "Shorten it or split it in two."
        )
    brackets = text.count("[")
    if brackets > MAX_BRACKETS:
        raise TooComplex(
            f"This text is too complex to publish: it has {brackets:,} square brackets "
            f"(links, images and footnotes use them); the limit is {MAX_BRACKETS:,}."
        )
    lines = text.count("\n") + 1
    if lines > MAX_LINES:
        raise TooComplex(
            f"This text is too complex to publish: it has {lines:,} lines; "
            f"the limit is {MAX_LINES:,}. Join short lines into paragraphs."
        )


def _check_nesting(tokens):
    if any(token.level >= MAX_NESTING - 1 for token in tokens):
        raise TooComplex(
            "This text is too complex to publish: lists or quotes are nested too deeply "
            "inside each other. Use fewer levels."
        )


# Core rules: they change the token stream between parsing and rendering.


def _headings(state):
    """The page owns its single h1, so headings start at h2; each gets a unique id."""
    used, suffixes = set(), {}
    for index, token in enumerate(state.tokens):
        if token.type not in {"heading_open", "heading_close"}:
            continue
        if token.tag == "h1":
            token.tag = "h2"
        if token.type == "heading_close":
            continue
        base = slugify(_plain_text(state.tokens[index + 1])) or "section"
        if base in RESERVED_IDS or RESERVED_ID_PATTERN.fullmatch(base):
            base = f"{base}-section"  # no numbered suffix could clear "faq-1"
        slug = base
        while slug in used:  # counts on from the last suffix: linear for repeated names
            suffixes[base] = suffixes.get(base, 0) + 1
            slug = f"{base}-{suffixes[base]}"
        used.add(slug)
        token.attrSet("id", slug)


def _plain_text(inline):
    return "".join(
        child.content for child in inline.children or () if child.type in {"text", "code_inline"}
    )


def _callouts(state):
    """`> [!WARNING] Optional title` at the top level becomes an aside; nested ones stay
    quotes, as on GitHub. Runs before inline parsing: the title is plain text."""
    tokens = state.tokens
    for index, token in enumerate(tokens):
        if token.type != "blockquote_open" or token.level != 0:
            continue
        if index + 2 >= len(tokens) or tokens[index + 1].type != "paragraph_open":
            continue
        inline = tokens[index + 2]
        match = CALLOUT_MARKER.match(inline.content)
        if not match:
            continue
        kind = match.group(1).lower()
        title = match.group(2).strip() or CALLOUT_KINDS[kind]
        token.type, token.tag = "callout_open", "aside"
        token.attrs = {"class": f"callout callout-{kind}", "role": "note", "aria-label": title}
        close = _matching_close(tokens, index)
        close.type, close.tag = "callout_close", "aside"
        title_tokens = [
            Token("paragraph_open", "p", 1, attrs={"class": "callout-title"}, block=True),
            # Empty content: inline parsing leaves the plain-text child alone.
            Token("inline", "", 0, children=[Token("text", "", 0, content=title)]),
            Token("paragraph_close", "p", -1, block=True),
        ]
        inline.content = inline.content[match.end() :]
        if inline.content.strip():
            tokens[index + 1 : index + 1] = title_tokens
        else:  # the marker line was the whole first paragraph
            tokens[index + 1 : index + 4] = title_tokens


def _matching_close(tokens, index):
    depth = 0
    for token in tokens[index:]:
        depth += token.nesting if token.type.startswith(("blockquote", "callout")) else 0
        if depth == 0:
            return token
    raise AssertionError("unbalanced blockquote tokens")


def _images(state):
    """Own-media images get their real size and lazy loading; any other image becomes a
    plain link. Skipped when only listing the images (no file reads)."""
    # Every image as written (alt, address), for images(): listed from the same parse.
    state.env["found_images"] = [
        ("".join(grand.content for grand in child.children or ()), child.attrGet("src") or "")
        for token in state.tokens
        if token.type == "inline"
        for child in token.children or ()
        if child.type == "image"
    ]
    if state.env.get("check_only"):
        return
    sizes = {}  # one file read per distinct image, however often it is repeated
    for token in state.tokens:
        if token.type != "inline" or not token.children:
            continue
        children = []
        for child in token.children:
            if child.type != "image":
                children.append(child)
                continue
            src = child.attrGet("src") or ""
            alt = "".join(grand.content for grand in child.children or ())
            name = media_name(src)
            if name and name not in sizes:
                sizes[name] = _stored_image_size(name)
            size = sizes.get(name)
            if size is None:
                children += [
                    Token("link_open", "a", 1, attrs={"href": src}),
                    Token("text", "", 0, content=alt or "Image (opens the picture)"),
                    Token("link_close", "a", -1),
                ]
                continue
            child.attrSet("width", str(size[0]))
            child.attrSet("height", str(size[1]))
            child.attrSet("loading", "lazy")
            child.attrSet("decoding", "async")
            child.meta["media_name"] = name
            children.append(child)
        token.children = children


def _links(state):
    """A link to anything but the web or mail keeps its text and loses the link.

    markdown-it would leave `[x](javascript:...)` as literal source text; readers get
    the words instead. nh3 checks the schemes again afterwards.
    """
    for token in state.tokens:
        if token.type != "inline" or not token.children:
            continue
        children, dropping = [], False
        for child in token.children:
            if child.type == "link_open" and not _safe_url(child.attrGet("href") or ""):
                dropping = True
                continue
            if child.type == "link_close" and dropping:
                dropping = False
                continue
            children.append(child)
        token.children = children


def _safe_url(url):
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        return False
    return scheme in {"", "http", "https", "mailto"}


def _stored_image_size(name):
    try:
        with default_storage.open(name) as stored, Image.open(stored) as image:
            return image.size
    except Exception:  # missing or unreadable file: treat like a foreign image
        return None


# What a body image takes of the page's width: the article column, or the whole phone.
BODY_IMAGE_SIZES = "(min-width: 48rem) 46rem, 100vw"


def _image(self, tokens, index, options, env):
    """An own-media image: through its renditions (WebP and its own format, each width)
    once the worker has made them, else the stored original with its size.

    `env["renditions"]` maps storage names to build_renditions() lists; every own-media
    image rendered is noted in `env["media_images"]` so the caller knows what to resize.
    """
    token = tokens[index]
    name = token.meta.get("media_name")
    if name and name not in env.setdefault("media_images", []):
        env["media_images"].append(name)
    sized = env.get("renditions", {}).get(name) if name else None
    if not sized:
        return self.image(tokens, index, options, env)

    def srcset(key):
        return ", ".join(f"{default_storage.url(r[key])} {r['width']}w" for r in sized)

    largest, fallback = sized[-1], sized[min(1, len(sized) - 1)]
    token.attrSet("src", default_storage.url(fallback["original"]))
    token.attrSet("srcset", srcset("original"))
    token.attrSet("sizes", BODY_IMAGE_SIZES)
    token.attrSet("width", str(largest["width"]))
    token.attrSet("height", str(largest["height"]))
    source = (
        f'<source type="image/webp" srcset="{escape(srcset("webp"))}" '
        f'sizes="{escape(BODY_IMAGE_SIZES)}">'
    )
    return f"<picture>{source}{self.image(tokens, index, options, env)}</picture>"


# Footnotes keep the markup the site used before markdown-it (ids fn:1 / fnref:1).


def _footnote_number(tokens, index):
    return str(tokens[index].meta["id"] + 1)


def _footnote_ref(self, tokens, index, options, env):
    number, sub = _footnote_number(tokens, index), tokens[index].meta.get("subId", 0)
    ref = f"fnref:{number}" + (f":{sub}" if sub else "")
    return f'<sup id="{ref}"><a class="footnote-ref" href="#fn:{number}">{number}</a></sup>'


def _footnote_anchor(self, tokens, index, options, env):
    number, sub = _footnote_number(tokens, index), tokens[index].meta.get("subId", 0)
    ref = f"fnref:{number}" + (f":{sub}" if sub else "")
    return f' <a class="footnote-backref" href="#{ref}">\u21a9\ufe0e</a>'


FOOTNOTE_RULES = {
    "footnote_ref": _footnote_ref,
    "footnote_anchor": _footnote_anchor,
    "footnote_block_open": lambda *args: '<div class="footnote">\n<hr>\n<ol>\n',
    "footnote_block_close": lambda *args: "</ol>\n</div>\n",
    "footnote_open": lambda self, tokens, index, *args: (
        f'<li id="fn:{_footnote_number(tokens, index)}">'
    ),
}
RENDER_RULES = {**FOOTNOTE_RULES, "image": _image}


def _parser():
    # Raw HTML in the source is shown as text, never passed through (html=False).
    md = MarkdownIt("commonmark", {"html": False, "maxNesting": MAX_NESTING})
    md.enable(["table", "strikethrough"])
    md.use(footnote_plugin, inline=False)
    md.use(deflist_plugin)
    md.core.ruler.after("block", "fibrosite_callouts", _callouts)
    md.core.ruler.push("fibrosite_headings", _headings)
    md.core.ruler.push("fibrosite_images", _images)
    md.core.ruler.push("fibrosite_links", _links)
    md.validateLink = lambda url: True  # so that _links can keep a refused link's text
    for name, rule in RENDER_RULES.items():
        md.add_render_rule(name, rule)
    return md


_md = _parser()


def _parse(text, env=None):
    check_limits(text)
    # Parsed on a thread of its own, so always at the same shallow stack depth. Link
    # labels are parsed by recursion many times over; CPython grows a thread's frame
    # stack in chunks, and when that recursion keeps crossing a chunk boundary it runs
    # about ten times slower (2.3 s instead of 0.2 s for 5,000 "![" when called from
    # the admin's save view). The fixed depth keeps the measured worst cases true.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="markdown") as pool:
        tokens = pool.submit(_md.parse, text, {} if env is None else env).result()
    _check_nesting(tokens)
    return tokens


# The admin validates a body and then saves it: the tokens parsed for the check are kept
# for the render that follows in the same thread, once. Nothing changes tokens after parsing.
_validated = threading.local()


def validate(text):
    """Raise TooComplex for input that render() would refuse."""
    text = text or ""
    env = {}
    _validated.parsed = (text, _parse(text, env), env.get("found_images", []))


def _parse_once(text):
    parsed, _validated.parsed = getattr(_validated, "parsed", None), None
    if parsed is not None and parsed[0] == text:
        return parsed[1]
    return _parse(text)


def validate_markdown(text):
    """Model field validator: the admin shows the reason as a form error, nothing is saved."""
    try:
        validate(text)
    except TooComplex as error:
        raise ValidationError(str(error), code="too_complex") from error


def images(text):
    """Every image in the markdown as (alt text, address), in reading order (no file reads)."""
    text = text or ""
    parsed = getattr(_validated, "parsed", None)
    if parsed is not None and parsed[0] == text:  # the admin's check of the same text
        return list(parsed[2])
    env = {"check_only": True}
    _parse(text, env)
    return env.get("found_images", [])


@dataclass
class Rendered:
    html: str
    toc: list = field(default_factory=list)
    words: int = 0
    # Storage names of the own-media images shown, in reading order (no repeats).
    images: list = field(default_factory=list)

    @property
    def reading_minutes(self):
        return max(1, round(self.words / WORDS_PER_MINUTE))


def render(text, renditions=None):
    """Render editor markdown to sanitised HTML, with a table of contents and a word count.

    `renditions` maps an image's storage name to its sizes (core/images.py
    build_renditions); images without any are shown as stored. Raises TooComplex for
    input past the limits above.
    """
    text = text or ""
    tokens = _parse_once(text)
    env = {"renditions": renditions or {}, "media_images": []}
    html = sanitise(_md.renderer.render(tokens, _md.options, env)).strip()
    return Rendered(
        html=html,
        toc=_toc(tokens),
        words=len(re.findall(r"\w+", text)),
        images=env["media_images"],
    )


def _toc(tokens):
    """Sections (h2) with their subsections (h3), as plain text names."""
    toc = []
    for index, token in enumerate(tokens):
        if token.type != "heading_open" or token.tag not in {"h2", "h3"}:
            continue
        item = {"id": token.attrGet("id"), "name": _plain_text(tokens[index + 1]).strip()}
        if token.tag == "h3" and toc:
            toc[-1]["children"].append(item)
        else:
            toc.append({**item, "children": []})
    return toc


def render_markdown(text):
    """MARKDOWNX_MARKDOWNIFY_FUNCTION: the live preview shows exactly what will be published."""
    return render(text).html
