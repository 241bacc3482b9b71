"""Blogger's post HTML to clean, CommonMark-friendly markdown.

Blogger wraps posts in layout markup (``<div dir="ltr" trbidi="on">``, ``<span
style=...>``, ``<font>``, ``&nbsp;`` and runs of ``<br />`` instead of paragraphs, a
"separator" div around every picture). That is tidied here with BeautifulSoup, then
markdownify writes the markdown. The article's own renderer sanitises the result again
on save (core/markdown.py), so this step is about good markdown, not the last line
of defence.
"""

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

from bs4 import BeautifulSoup, Comment, NavigableString
from markdownify import MarkdownConverter

DROP = {"script", "style", "noscript", "object", "embed", "form", "input", "button", "select",
        "textarea", "svg", "math", "template", "head", "title", "meta", "link", "base"}  # fmt: skip
KEEP_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}}
LINK_SCHEMES = {"http", "https", "mailto"}
BLOGGER_IMAGE_HOSTS = ("bp.blogspot.com", "googleusercontent.com", "blogger.com")
SIZE_SEGMENT = re.compile(r"/(s\d+(-[a-z0-9-]+)?|w\d+-h\d+(-[a-z0-9-]+)?)/")
# Starts at a literal <br so that long runs of spaces cost linear time, not quadratic.
BR_RUN = re.compile(r"<br\s*/?>(?:(?:\s|&nbsp;|\xa0)*<br\s*/?>)+", re.IGNORECASE)
MAX_NESTING = 200
WHITESPACE = re.compile(r"[ \t\r\n\f]+")
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".gif")


def _safe_url(url):
    url = (url or "").strip()
    scheme = urlsplit(url).scheme.lower() if ":" in url else ""
    if scheme and scheme not in LINK_SCHEMES:
        return ""
    if url.startswith("//"):
        return "https:" + url
    return url


def is_full_size_image(url):
    """A link that opens a picture: Blogger's image hosts, a size segment or an image name."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    return (
        any(host == h or host.endswith("." + h) for h in BLOGGER_IMAGE_HOSTS)
        or bool(SIZE_SEGMENT.search(parts.path))
        or parts.path.lower().endswith(IMAGE_SUFFIXES)
    )


def video_link(src):
    """An embedded player's address as the page a reader can open."""
    src = _safe_url(src)
    if not src:
        return ""
    parts = urlsplit(src)
    host = (parts.hostname or "").lower()
    if host.endswith(("youtube.com", "youtube-nocookie.com")) and parts.path.startswith("/embed/"):
        return f"https://www.youtube.com/watch?v={parts.path.removeprefix('/embed/').strip('/')}"
    if host.endswith("blogger.com") and "video.g" in parts.path:
        token = parse_qs(parts.query).get("token", [""])[0]
        return src if token else ""
    return src


def _too_deep(soup):
    """Hostile files nest thousands of tags; flatten anything deeper than any real post."""
    for element in soup.find_all(True):
        depth = sum(1 for _ in element.parents)
        if depth > MAX_NESTING:
            return True
    return False


def tidy(html):
    """Blogger HTML -> a BeautifulSoup tree holding only tags markdown can express."""
    html = BR_RUN.sub("<parabreak></parabreak>", html or "")
    soup = BeautifulSoup(html, "html.parser")
    for node in soup.find_all(string=lambda s: isinstance(s, Comment)):
        node.extract()
    for tag in soup.find_all(DROP):
        tag.decompose()
    for frame in soup.find_all(["iframe", "video", "audio"]):
        href = video_link(frame.get("src") or (frame.find("source") or {}).get("src", ""))
        if href:
            paragraph = soup.new_tag("p")
            link = soup.new_tag("a", href=href)
            link.string = "Watch the video"
            paragraph.append(link)
            frame.replace_with(paragraph)
        else:
            frame.decompose()
    if _too_deep(soup):
        return BeautifulSoup(f"<p>{soup.get_text(' ', strip=True)}</p>", "html.parser")
    for tag in soup.find_all(True):
        allowed = KEEP_ATTRIBUTES.get(tag.name, set())
        tag.attrs = {k: v for k, v in tag.attrs.items() if k in allowed}
    for tag in soup.find_all(["span", "font", "center", "u", "small", "big"]):
        tag.unwrap()
    for tag in soup.find_all("h1"):
        tag.name = "h2"  # the article page owns the one h1
    for link in soup.find_all("a"):
        href = _safe_url(link.get("href"))
        if not href:
            link.unwrap()  # javascript:, data: and friends lose the link, keep the words
            continue
        link["href"] = href
        images = link.find_all("img")
        # Blogger links a small copy (/s320/) to the full picture (/s1600/): keep the big one.
        if len(images) == 1 and not link.get_text(strip=True) and is_full_size_image(href):
            images[0]["src"] = href
            link.unwrap()
    for image in soup.find_all("img"):
        src = _safe_url(image.get("src"))
        if not src:
            image.decompose()
            continue
        image["src"] = src
    for text in soup.find_all(string=True):
        if not isinstance(text, NavigableString) or text.find_parent("pre"):
            continue
        # &nbsp; is a space; and whitespace collapses as a browser would, which also keeps
        # markdownify (whose whitespace pattern is quadratic on long runs) fast.
        collapsed = WHITESPACE.sub(" ", text.replace("\xa0", " "))
        if collapsed != text:
            text.replace_with(collapsed)
    return soup


class _Converter(MarkdownConverter):
    def convert_div(self, el, text, parent_tags):
        # Blogger uses divs as paragraphs and as wrappers: each is a block, never raw HTML.
        text = text.strip("\n")
        return f"\n\n{text}\n\n" if text.strip() else ""

    convert_section = convert_article = convert_div

    def convert_parabreak(self, el, text, parent_tags):
        return "\n\n"  # a run of <br /> was Blogger's way of starting a paragraph


def to_markdown(html, image_sources=None):
    """Markdown for a post body; `image_sources` maps a Blogger image address to ours
    (addresses missing from it become plain links, as the issue asks)."""
    soup = tidy(html)
    image_sources = image_sources or {}
    for image in soup.find_all("img"):
        src = image["src"]
        if src in image_sources:
            image["src"] = image_sources[src]
            if not image.get("alt"):
                image["alt"] = "Picture from the original blog post"
        else:
            link = soup.new_tag("a", href=src)
            link.string = image.get("alt") or "Picture (opens the original)"
            image.replace_with(link)
    markdown = _Converter(
        heading_style="ATX", bullets="-", strong_em_symbol="*", newline_style="backslash",
        escape_misc=False,
    ).convert_soup(soup)  # fmt: skip
    # Line by line, not with a regex: "[ \t]+\n" is quadratic on a long run of spaces.
    markdown = "\n".join(line.rstrip(" \t") for line in markdown.split("\n"))
    markdown = re.sub(r"(\\\n\s*)+\n", "\n\n", markdown)  # a hard break that ends a paragraph
    markdown = re.sub(r"\n{3,}", "\n\n", markdown)
    # Two trailing spaces: a line break both CommonMark and Python-Markdown understand.
    markdown = markdown.replace("\\\n ", "\\\n").replace("\\\n", "  \n")
    return markdown.strip() + "\n"


def image_urls(html):
    """The addresses of the pictures a post shows (after the small-to-large swap)."""
    if "<img" not in (html or "").lower():
        return []  # most posts: no need to build a tree
    found = (image.get("src", "") for image in tidy(html).find_all("img"))
    return [src for src in found if urlsplit(src).scheme in ("http", "https")]


def plain_text(html, limit=None):
    """Visitor HTML (a comment) as plain text: line breaks kept, every tag gone."""
    soup = BeautifulSoup(BR_RUN.sub("\n\n", html or ""), "html.parser")
    for tag in soup.find_all(DROP | {"iframe"}):
        tag.decompose()
    for br in soup.find_all("br"):
        br.replace_with("\n")
    for block in soup.find_all(["p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr"]):
        block.insert_after("\n")
    text = unescape(soup.get_text()).replace("\xa0", " ")
    lines = (" ".join(line.split()) for line in text.split("\n"))
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    return text[:limit] if limit else text


def summary(html, title, limit=300):
    """Key points for an imported post: its first sentence or two, as plain text."""
    text = re.sub(r"\s+", " ", plain_text(html)).strip()
    kept = ""
    for sentence in re.split(r"(?<=[.!?])\s+", text):
        if kept and len(kept) + len(sentence) > limit:
            break
        kept = f"{kept} {sentence}".strip()
        if len(kept) > 120:
            break
    return kept[:limit] or title
