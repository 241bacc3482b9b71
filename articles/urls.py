from django.urls import include, path

from articles import feeds, views

app_name = "articles"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("articles/", views.ArticleListView.as_view(), name="list"),
    path("articles/category/<slug:slug>/", views.CategoryView.as_view(), name="category"),
    path("articles/tag/<slug:slug>/", views.TagView.as_view(), name="tag"),
    path("articles/<slug:slug>/", views.ArticleDetailView.as_view(), name="detail"),
    path("review/<str:token>/", views.ReviewView.as_view(), name="review"),
    path("authors/<slug:slug>/", views.AuthorView.as_view(), name="author"),
    path("faq/", views.FAQView.as_view(), name="faq"),
    path("search/", views.SearchView.as_view(), name="search"),
    path("follow/", views.FollowView.as_view(), name="follow"),
    path("feed/", feeds.LatestArticlesFeed(), name="feed"),
    path("feed/atom/", feeds.LatestArticlesAtomFeed(), name="feed-atom"),
    path("", include("articles.blogger.urls")),  # old Blogger addresses: 301s
]
