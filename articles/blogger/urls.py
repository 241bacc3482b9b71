"""Addresses the blog had on Blogger (included from articles/urls.py)."""

from django.urls import path, re_path

from articles.blogger import views

urlpatterns = [
    re_path(r"^(?P<path>\d{4}/\d{2}/[^/]{1,250}\.html)$", views.old_post, name="blogger-post"),
    re_path(r"^(?P<path>p/[^/]{1,250}\.html)$", views.old_post, name="blogger-page"),
    path("search/label/<str:name>", views.old_label, name="blogger-label"),
    path("feeds/posts/default", views.old_feed, name="blogger-feed"),
]
