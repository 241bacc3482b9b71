"""Give existing articles profiles: their author's full name, and the reviewer's name."""

from django.db import migrations
from django.utils.text import slugify


def unique_slug(Person, name):
    base = slugify(name)[:100] or "person"
    slug, n = base, 2
    while Person.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def split_reviewer(text):
    """'Dr Ana Ruiz, rheumatologist' -> ('Dr Ana Ruiz', 'rheumatologist')."""
    name, _, rest = text.partition(",")
    return name.strip()[:120], rest.strip()[:120]


def forwards(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    Person = apps.get_model("articles", "Person")
    by_user, by_reviewer = {}, {}
    for article in Article.objects.select_related("author").order_by("pk"):
        changes = {}
        user = article.author
        full_name = f"{user.first_name} {user.last_name}".strip() if user else ""
        # A login name alone is never made public: such articles stay "FibroSite editors".
        if full_name:
            if user.pk not in by_user:
                by_user[user.pk] = Person.objects.filter(user=user).first() or (
                    Person.objects.create(
                        name=full_name[:120], slug=unique_slug(Person, full_name), user=user
                    )
                )
            changes["written_by"] = by_user[user.pk]
        text = article.reviewer_name.strip()
        if text:
            if text not in by_reviewer:
                name, credentials = split_reviewer(text)
                by_reviewer[text] = Person.objects.filter(
                    name=name, credentials=credentials
                ).first() or Person.objects.create(
                    name=name, credentials=credentials, slug=unique_slug(Person, name)
                )
            changes["reviewed_by"] = by_reviewer[text]
        if changes:
            # update(): historical models have no save() logic, and nothing needs rendering.
            Article.objects.filter(pk=article.pk).update(**changes)


def backwards(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    for article in Article.objects.exclude(reviewed_by=None).select_related("reviewed_by"):
        person = article.reviewed_by
        text = f"{person.name}, {person.credentials}" if person.credentials else person.name
        Article.objects.filter(pk=article.pk).update(reviewer_name=text[:120])


class Migration(migrations.Migration):
    dependencies = [("articles", "0009_people")]

    operations = [migrations.RunPython(forwards, backwards)]
