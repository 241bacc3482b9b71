"""The admin's "Import from Blogger" page: upload, read the dry run, start, watch."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from articles.blogger import importer, storage
from articles.blogger.parse import ExportError
from articles.blogger.tasks import run_blogger_import
from articles.models import BloggerImport

PERMISSION = "articles.run_blogger_import"


class UploadForm(forms.Form):
    export = forms.FileField(
        label="Blogger export file",
        help_text="feed.atom from Google Takeout, or the .xml from Blogger's "
        "Settings → Back up content.",
    )
    allow_private_hosts = forms.BooleanField(
        required=False,
        label="Fetch images from private network addresses",
        help_text="Only for a blog whose pictures live on your own intranet.",
    )

    def clean_export(self):
        export = self.cleaned_data["export"]
        limit = settings.BLOGGER_IMPORT_MAX_BYTES
        if export.size > limit:
            raise forms.ValidationError(
                f"This file is {export.size / 1024 / 1024:.0f} MB; the limit is "
                f"{limit / 1024 / 1024:.0f} MB."
            )
        return export


@admin.register(BloggerImport)
class BloggerImportAdmin(admin.ModelAdmin):
    list_display = ["file_name", "status", "created", "finished", "created_by"]
    list_filter = ["status"]
    list_select_related = ["created_by"]

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.has_perm(PERMISSION)

    has_add_permission = has_module_permission = has_view_permission

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        start = self.admin_site.admin_view(self.start_view)
        return [
            path("<int:pk>/start/", start, name="articles_bloggerimport_start"),
            *super().get_urls(),
        ]

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = UploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            run = self._check(request, form)
            return redirect("admin:articles_bloggerimport_change", run.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Import from Blogger",
            "form": form,
        }
        return TemplateResponse(request, "admin/articles/bloggerimport/upload.html", context)

    def _check(self, request, form):
        export = form.cleaned_data["export"]
        stored = storage.save(export)
        run = BloggerImport(
            file_name=export.name[:200],
            stored_name=stored,
            allow_private_hosts=form.cleaned_data["allow_private_hosts"],
            created_by=request.user,
        )
        try:
            report = importer.run(storage.path(stored), dry_run=True)
        except ExportError as error:
            run.status, run.error = BloggerImport.Status.REFUSED, f"The file was refused: {error}"
            storage.delete(stored)
        else:
            run.dry_run_report = report.text()
        run.save()
        return run

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        run = get_object_or_404(BloggerImport, pk=object_id)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Import from Blogger: {run.file_name}",
            "run": run,
            "busy": run.status in (BloggerImport.Status.QUEUED, BloggerImport.Status.RUNNING),
        }
        return TemplateResponse(request, "admin/articles/bloggerimport/detail.html", context)

    def start_view(self, request, pk):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_add_permission(request):
            raise PermissionDenied
        queued = BloggerImport.objects.filter(pk=pk, status=BloggerImport.Status.CHECKED).update(
            status=BloggerImport.Status.QUEUED
        )
        if queued:
            transaction.on_commit(lambda: run_blogger_import.enqueue(pk))
            messages.success(request, "The import has started; this page shows its progress.")
        else:
            messages.warning(request, "This import has already been started or was refused.")
        return redirect(reverse("admin:articles_bloggerimport_change", args=[pk]))
