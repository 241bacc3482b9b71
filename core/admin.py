import logging

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.utils.datastructures import MultiValueDict
from django.utils.html import escape

logger = logging.getLogger("fibrosite")


class LiteralHelpTextMixin:
    """Help texts shown as written: the admin prints them as HTML, so a placeholder such as
    "/store/product/<slug>/" or "Buy at <shop name>" would vanish as an unknown tag."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if formfield is not None and "<" in str(formfield.help_text):
            formfield.help_text = escape(formfield.help_text)
        return formfield


NOT_STORED = "The image could not be stored (the server's disk may be full), so nothing was saved."
UPLOAD_FAILED = (
    f"{NOT_STORED} Everything you typed is still here: save again later, or save now "
    "without the new image."
)


class UploadFailedForm:
    """The same admin form, shown again with the reason the upload failed."""

    def clean(self):
        super().clean()
        raise ValidationError(UPLOAD_FAILED)


class UploadFailureAdminMixin:
    """An image that cannot be stored (disk full) is a form error, not a 500.

    The admin saves inside a transaction, so nothing is half-saved: no row points at
    a missing file, and the storage removes its partial file (core/storage.py).
    The form then comes back with everything the editor typed (inlines included) and
    the reason; only the file has to be chosen again, as browsers never refill it.
    """

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except OSError:
            if request.method != "POST" or not request.FILES:
                raise  # not an upload's fault: the usual error page
            logger.exception("An upload could not be stored")
        request.upload_failed = True
        request._files = MultiValueDict()  # the files were the trouble: not again
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except OSError:  # the form can't even be shown again: say so on an empty one
            logger.exception("The form could not be shown again after a failed upload")
            self.message_user(request, NOT_STORED, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if getattr(request, "upload_failed", False):
            return type(form.__name__, (UploadFailedForm, form), {})
        return form
