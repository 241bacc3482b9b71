from django.urls import path

from store import views

app_name = "store"

urlpatterns = [
    path("", views.StoreHomeView.as_view(), name="home"),
    path("product/<slug:slug>/", views.ProductDetailView.as_view(), name="product"),
    path("go/<slug:slug>/", views.go, name="go"),
    path("<slug:slug>/", views.CategoryView.as_view(), name="category"),
]
