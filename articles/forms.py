from django import forms
from django.utils import timezone
from django.utils.formats import date_format

from articles.models import Article

SCHEDULED = "scheduled"
STATUS_CHOICES = [
    (Article.Status.DRAFT, "Draft: only editors can see it"),
    (SCHEDULED, "Scheduled: goes live by itself at the publish date"),
    (Article.Status.PUBLISHED, "Published: on the site now"),
    (Article.Status.UNPUBLISHED, "Unpublished: taken off the site"),
]


def when(moment):
    return date_format(timezone.localtime(moment), "j M Y, H:i")


class ArticleAdminForm(forms.ModelForm):
    """The admin's article form, with a status an editor reads at a glance.

    "Scheduled" is stored as published with a future date (every public query already
    treats it so); the form makes the choice explicit instead of implied by the date.
    """

    status = forms.ChoiceField(
        choices=STATUS_CHOICES, widget=forms.RadioSelect, initial=Article.Status.DRAFT
    )

    class Meta:
        model = Article
        fields = ["status", "publish_at"]  # the admin adds the rest from its fieldsets

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.is_scheduled:
            self.initial["status"] = SCHEDULED

    def clean_status(self):
        self.chosen_status = self.cleaned_data["status"]
        if self.chosen_status == SCHEDULED:
            return Article.Status.PUBLISHED
        return self.chosen_status

    def clean(self):
        cleaned = super().clean()
        chosen, publish_at = getattr(self, "chosen_status", None), cleaned.get("publish_at")
        if publish_at is None:
            return cleaned
        now = timezone.now()
        if chosen == SCHEDULED and publish_at <= now:
            self.add_error(
                "publish_at",
                f"To schedule, choose a publish date after now ({when(now)}); "
                "or choose Published to put it on the site at once.",
            )
        elif chosen == Article.Status.PUBLISHED and publish_at > now:
            self.add_error(
                "status",
                f"The publish date ({when(publish_at)}) is in the future: choose Scheduled to "
                "publish it then, or set the date to now to publish at once.",
            )
        return cleaned
