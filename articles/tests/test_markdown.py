from html.parser import HTMLParser

import pytest

from articles.markdown import render, render_markdown
from articles.tests.conftest import image_bytes

HOSTILE = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "![pixel](data:image/png;base64,AAAA)",
    "[data](data:text/html;base64,PHNjcmlwdD4=)",
    '<iframe src="https://evil.example"></iframe>',
    '<a href="#" onclick="steal()">x</a>',
    "<svg onload=alert(1)>",
    "<style>body{display:none}</style>",
]


class ActiveContent(HTMLParser):
    """Collects what a browser would act on: risky tags, event handlers, script-ish URLs."""

    def __init__(self, html):
        super().__init__()
        self.found = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag in {"script", "iframe", "svg", "style", "object", "embed", "math"}:
            self.found.append(tag)
        for name, value in attrs:
            if name.startswith("on") or name == "style":
                self.found.append(f"{tag}[{name}]")
            if (
                name in {"href", "src"}
                and value
                and value.strip().lower().startswith(("javascript:", "data:", "vbscript:"))
            ):
                self.found.append(f"{tag}[{name}={value}]")


@pytest.mark.parametrize("source", HOSTILE)
def test_hostile_markdown_never_produces_active_html(source):
    html = render_markdown(f"Hello\n\n{source}\n\nBye")
    assert ActiveContent(html).found == []
    assert "Hello" in html and "Bye" in html


def test_ordinary_markdown_keeps_its_structure():
    html = render_markdown(
        "# Title\n\n## Section\n\n*soft* **strong** [link](https://example.org)\n\n"
        "- one\n- two\n\n> quote\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n`code`"
    )
    assert '<h2 id="title">Title</h2>' in html  # the page owns its h1
    assert "<h1" not in html
    assert "<em>soft</em>" in html and "<strong>strong</strong>" in html
    assert 'href="https://example.org"' in html
    assert "<ul>" in html and "<blockquote>" in html and "<table>" in html
    assert "<code>code</code>" in html


def test_toc_lists_sections_and_subsections_as_plain_text():
    rendered = render("## Sleep & rest\n\ntext\n\n### Naps\n\n## Pain\n\n## Fog")
    assert [item["name"] for item in rendered.toc] == ["Sleep & rest", "Pain", "Fog"]
    assert rendered.toc[0]["children"] == [{"id": "naps", "name": "Naps"}]


def test_reading_time_counts_words():
    assert render("word " * 1000).reading_minutes == 5
    assert render("short").reading_minutes == 1


def test_external_images_become_plain_links():
    html = render_markdown("![a chart](https://tracker.example/pixel.png)")
    assert "<img" not in html
    assert '<a href="https://tracker.example/pixel.png"' in html
    assert ">a chart</a>" in html


def test_images_on_our_media_get_their_size_and_lazy_loading(settings, tmp_path):
    (settings.MEDIA_ROOT / "uploads").mkdir(parents=True)
    (settings.MEDIA_ROOT / "uploads" / "chart.png").write_bytes(image_bytes(size=(320, 200)))
    html = render_markdown("![sleep chart](/media/uploads/chart.png)")
    assert 'src="/media/uploads/chart.png"' in html and 'alt="sleep chart"' in html
    assert 'width="320"' in html and 'height="200"' in html and 'loading="lazy"' in html


def test_media_path_tricks_are_not_treated_as_our_images(settings):
    html = render_markdown("![x](/media/../../etc/passwd)")
    assert "<img" not in html
