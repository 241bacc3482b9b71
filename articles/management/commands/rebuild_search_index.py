from django.core.management.base import BaseCommand

from articles import search


class Command(BaseCommand):
    help = (
        "Rebuild site search (entries and the spelling vocabulary) from the content. Saves keep "
        "it current by themselves; run this after bulk imports that bypass save()."
    )

    def handle(self, *args, **options):
        count = search.rebuild()
        self.stdout.write(f"Search index rebuilt: {count} entries.")
