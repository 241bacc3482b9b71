from contextlib import nullcontext

from django.core.management.base import BaseCommand

from articles.models import Article
from articles.tasks import make_body_renditions
from core import markdown
from core.storage import media_name
from core.tasks import run_tasks_now


class Command(BaseCommand):
    help = (
        "Have the worker resize the images in articles' text that have no sizes yet "
        "(articles saved before body images were resized, or whose resizing failed). "
        "--now resizes them in this process instead."
    )

    def add_arguments(self, parser):
        parser.add_argument("--now", action="store_true", help="resize here, not in the worker")

    def handle(self, *args, now=False, **options):
        articles = images = resized = 0
        rows = Article.objects.values_list("pk", "body", "body_renditions")
        with run_tasks_now() if now else nullcontext():
            for pk, body, renditions in rows.iterator():
                try:
                    found = markdown.images(body)
                except markdown.TooComplex:
                    continue  # saved before the limits: its editor is told on the next save
                names = (media_name(src) for _, src in found)
                missing = list(dict.fromkeys(n for n in names if n and n not in renditions))
                if not missing:
                    continue
                result = make_body_renditions.enqueue(pk, missing)
                articles, images = articles + 1, images + len(missing)
                if now:
                    made = (result.return_value or {}).get("renditions", {})
                    resized += sum(name in made for name in missing)
        if now:
            self.stdout.write(
                f"Resized {resized} of {images} image(s) in {articles} article(s)"
                + ("." if resized == images else "; the others are missing or not images.")
            )
        else:
            self.stdout.write(f"Queued {images} image(s) in {articles} article(s) for the worker.")
