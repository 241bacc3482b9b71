from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from fibrosite import views

admin.site.site_header = "FibroSite editors"
admin.site.site_title = "FibroSite admin"
admin.site.index_title = "What would you like to work on?"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("", include("articles.urls")),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
