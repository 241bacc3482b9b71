from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("articles", "0010_people_from_bylines")]

    operations = [migrations.RemoveField(model_name="article", name="reviewer_name")]
