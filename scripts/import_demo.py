"""`make import-demo`: import the sample Blogger export into the demo site.

The sample's pictures are addressed on Blogger's image host, as in a real export; this
script serves them from articles/blogger/sample/images on 127.0.0.1 instead (so the
demo works offline) and therefore passes --allow-private-hosts. Safe to run twice: the
second run reports everything unchanged.
"""

import functools
import http.server
import os
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "articles" / "blogger" / "sample"
HOST = "https://blogger.googleusercontent.com/img/b/fibro-notes"


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def main():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fibrosite.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", "--noinput", verbosity=0)
    call_command("load_demo")
    handler = functools.partial(Quiet, directory=str(SAMPLE / "images"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    mirror = f"http://127.0.0.1:{server.server_address[1]}"
    text = (SAMPLE / "fibro-notes-takeout.atom").read_text(encoding="utf-8")
    text = text.replace(f"{HOST}/s1600/", f"{mirror}/").replace(f"{HOST}/s320/", f"{mirror}/")
    with tempfile.TemporaryDirectory() as folder:
        export = Path(folder) / "feed.atom"
        export.write_text(text, encoding="utf-8")
        print("== Dry run (nothing written) ==")
        call_command("import_blogger", str(export), "--dry-run")
        print("\n== Import ==")
        call_command("import_blogger", str(export), "--allow-private-hosts")
    server.shutdown()
    print(
        "\nOld addresses now redirect, e.g. /2019/02/the-spoon-drawer.html and "
        "/search/label/Sleep; the page 'About this blog' waits as a draft in the admin."
    )


if __name__ == "__main__":
    main()
