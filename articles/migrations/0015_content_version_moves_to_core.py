from django.db import migrations


def carry_the_number_over(apps, schema_editor):
    """Go on from the old number (plus one), so no page cached under it can match again."""
    old = apps.get_model("articles", "ContentVersion").objects.filter(pk=1).first()
    number = old.number + 1 if old else 1
    apps.get_model("core", "ContentVersion").objects.update_or_create(
        pk=1, defaults={"number": number}
    )


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0014_search_and_sharing"),
        ("core", "0001_content_version"),
    ]

    operations = [
        migrations.RunPython(carry_the_number_over, migrations.RunPython.noop),
        migrations.DeleteModel(name="ContentVersion"),
    ]
