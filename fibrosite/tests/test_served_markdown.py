"""Finding 3 against the running site: pathological markdown previews from a staff user
can't take gunicorn's workers (and the public site with them) down.

gunicorn with production settings and two workers, as deployed; the attacker is a signed-in
staff user posting the worst inputs to the live preview at once, from both workers' worth
of connections, while a visitor reads the home page.
"""

import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

import pytest

from articles.tests.test_markdown import REFUSED_CASES, WORST_CASES
from fibrosite.tests.served import ServedSite, Visitor

EDITOR, PASSWORD = "preview.editor", "a-long-enough-passphrase"
ATTACKS = ["nested brackets", "footnote defs", "deep emphasis", "wide table"]
REFUSED = ["list nested 300 deep", "quote markers", "too long"]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("preview")
    served = ServedSite(
        tmp_path, f"sqlite:///{tmp_path / 'site.sqlite3'}", workers=2, demo=False,
        ready_path="/healthz",
    )  # fmt: skip
    with served:
        served.create_editor(EDITOR, PASSWORD)
        yield served


def preview(site, editor, source):
    token = editor.cookies.get("csrftoken", "")
    started = time.perf_counter()
    status, _, body = editor.request(
        "POST", "/editor/markdownify/", body=urlencode({"content": source}),
        headers={"Content-Type": "application/x-www-form-urlencoded", "X-CSRFToken": token,
                 "Origin": site.url, "Referer": site.url + "/admin/"},
    )  # fmt: skip
    return status, time.perf_counter() - started, body


def test_pathological_previews_answer_quickly_and_the_site_keeps_serving(site):
    editor = Visitor(site.url)
    assert editor.sign_in(EDITOR, PASSWORD)[0] == 302
    sources = [WORST_CASES[name] for name in ATTACKS] + [REFUSED_CASES[n] for n in REFUSED]
    reader = Visitor(site.url, "127.0.0.9")
    with ThreadPoolExecutor(4) as pool:
        attacks = [pool.submit(preview, site, editor, source) for source in sources * 2]
        time.sleep(0.2)
        started = time.perf_counter()
        home = reader.get("/")
        home_seconds = time.perf_counter() - started
        results = [attack.result() for attack in attacks]

    assert home[0] == 200 and home_seconds < 5, home_seconds
    for (status, seconds, body), source in zip(results, sources * 2, strict=True):
        assert status in (200, 422), (status, body[:200])
        assert "Traceback" not in body and "Server Error" not in body
        # Two gunicorn workers share two cores with everything else: a second of CPU
        # each, plus queueing behind the other previews, well inside gunicorn's 30 s.
        assert seconds < 10, (seconds, source[:40])
    refused = [body for status, _, body in results if status == 422]
    assert len(refused) == 2 * len(REFUSED)
    assert all('role="alert"' in body for body in refused)
