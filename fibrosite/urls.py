from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path, re_path

from articles import editor
from articles.sitemaps import ArticleSitemap, CategorySitemap, PagesSitemap
from core import views
from store.sitemaps import StoreSitemap

admin.site.site_header = "FibroSite editors"
admin.site.site_title = "FibroSite admin"
admin.site.index_title = "What would you like to work on?"
# The sidebar repeats the home page's list and leaves lists too little room at 1,280 px.
admin.site.enable_nav_sidebar = False

sitemaps = {
    "pages": PagesSitemap,
    "articles": ArticleSitemap,
    "categories": CategorySitemap,
    "store": StoreSitemap,
}

urlpatterns = [
    path("robots.txt", views.robots_txt, name="robots"),
    path("sitemap.xml", sitemap, {"sitemaps": sitemaps}, name="sitemap"),
    path("healthz", views.healthz, name="healthz"),
    path("editor/markdownify/", editor.markdownify, name="markdownx_markdownify"),
    path("editor/upload/", editor.upload, name="markdownx_upload"),
    path("admin/", admin.site.urls),
    path("store/", include("store.urls")),
    path("", include("community.urls")),
    path("", include("articles.urls")),
]

if settings.SERVE_MEDIA:
    urlpatterns.insert(0, re_path(r"^media/(?P<path>.+)$", views.media, name="media"))
