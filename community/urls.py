from django.urls import path

from community import views

app_name = "community"

urlpatterns = [
    path("contact/", views.ContactView.as_view(), name="contact"),
    path(
        "contact/thanks/",
        views.PageView.as_view(template_name="community/contact_thanks.html", title="Thank you"),
        name="contact-thanks",
    ),
    path("community/", views.SignupView.as_view(), name="signup"),
    path(
        "community/thanks/",
        views.PageView.as_view(template_name="community/signup_thanks.html", title="Thank you"),
        name="signup-thanks",
    ),
    path("community/confirm/<str:token>/", views.ConfirmView.as_view(), name="confirm"),
    path("community/unsubscribe/<str:token>/", views.UnsubscribeView.as_view(), name="unsubscribe"),
    path("community/whatsapp/", views.WhatsAppView.as_view(), name="whatsapp"),
    path(
        "privacy/",
        views.PageView.as_view(template_name="community/privacy.html", title="Privacy"),
        name="privacy",
    ),
    # Matched before the articles app's patterns (community's include comes first).
    path("articles/<slug:slug>/comment/", views.CommentView.as_view(), name="comment"),
    path("articles/<slug:slug>/comments/", views.CommentListView.as_view(), name="comments"),
    path(
        "articles/<slug:slug>/comment/thanks/",
        views.CommentThanksView.as_view(),
        name="comment-thanks",
    ),
]
