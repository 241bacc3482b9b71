import logging
from contextlib import contextmanager

import reversion
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import connections, router
from django.db.models.signals import post_save
from django.http import HttpResponseRedirect
from django.utils.datastructures import MultiValueDict
from django.utils.html import escape
from reversion_compare.admin import CompareVersionAdmin

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


class BulkInlineSaveMixin:
    """New inline rows (an article's FAQs) saved with one INSERT per kind, not one per row.

    Rows an editor changed are saved one by one as usual, and deleted ones deleted. A
    model's own bulk_create() does what its save() would (a public one marks cached pages
    stale, FAQs render their answers); each new row is then announced with post_save, as
    its save() would have, so what listens (search) hears of it.
    """

    def save_formset(self, request, form, formset, change):
        rows = formset.save(commit=False)
        for row in formset.deleted_objects:
            row.delete()
        new = [row for row in rows if row._state.adding]
        for row in rows:
            if not row._state.adding:
                row.save()
        if new:
            using = router.db_for_write(formset.model)
            if connections[using].features.can_return_rows_from_bulk_insert:
                formset.model._default_manager.using(using).bulk_create(new)
                for row in new:
                    post_save.send(
                        sender=formset.model, instance=row, created=True, update_fields=None,
                        raw=False, using=using,
                    )  # fmt: skip
            else:  # the rows' ids are needed (history, search): one at a time
                for row in new:
                    row.save(using=using)
        formset.save_m2m()


class OneTransactionVersionAdmin(CompareVersionAdmin):
    """django-reversion's admin, whose save is one transaction instead of two nested ones.

    VersionAdmin opens the revision's transaction around the whole view, and ModelAdmin
    opens its own inside it: a savepoint, two more round trips on every save. Here the
    revision's transaction is the save's. The revision is recorded once, when the object,
    its many-to-many rows and its inlines are all saved, instead of after each part.
    """

    @contextmanager
    def create_revision(self, request):
        yield  # VersionAdmin's wrapper around the add and change views: see changeform_view

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method in ("GET", "HEAD", "OPTIONS", "TRACE"):
            return super().changeform_view(request, object_id, form_url, extra_context)
        # What ModelAdmin.changeform_view does for a POST, with the revision's transaction
        # standing in for its own (a failed save rolls back as a whole all the same).
        using = router.db_for_write(self.model)
        with reversion.create_revision(manage_manually=True, using=using):
            reversion.set_user(request.user)
            return self._changeform_view(request, object_id, form_url, extra_context)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if reversion.is_active():
            reversion.add_to_revision(form.instance)

    # VersionAdmin's pages that save an old version again (a revision's preview, a deleted
    # object's recovery) comment on the revision after the save returns: they need one
    # open around them, which the save joins (django-reversion nests revision blocks).
    def revision_view(self, request, object_id, version_id, extra_context=None):
        with reversion.create_revision(manage_manually=True):
            reversion.set_user(request.user)
            return super().revision_view(request, object_id, version_id, extra_context)

    def recover_view(self, request, version_id, extra_context=None):
        with reversion.create_revision(manage_manually=True):
            reversion.set_user(request.user)
            return super().recover_view(request, version_id, extra_context)
