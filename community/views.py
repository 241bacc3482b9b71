from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import FormView, ListView, TemplateView, View

from articles.selectors import published_articles
from community import services, tokens
from community.forms import SIGNUP_CONSENT, CommentForm, ContactForm, SignupForm
from community.models import INTEREST_FIELDS, Comment, CommunitySettings
from core.ratelimit import over_limit, too_many_requests
from core.views import HOME, BreadcrumbsMixin


@method_decorator(never_cache, name="dispatch")
class ProtectedFormView(BreadcrumbsMixin, FormView):
    """An uncached form page: rate-limited POSTs, honeypot and minimum fill time.

    A filled honeypot gets the same redirect to the thank-you page as a real
    submission, with nothing stored and nothing sent.
    """

    rate_scope = None
    title = ""

    def post(self, request, *args, **kwargs):
        if over_limit(request, self.rate_scope):
            return too_many_requests(request, self.rate_scope)
        form = self.get_form()
        if form.is_bot:
            return redirect(self.get_success_url())
        if form.is_valid():
            return self.form_valid(form)
        return self.form_invalid(form)

    def get_crumbs(self):
        return [HOME, (self.title, self.request.path)]


class ContactView(ProtectedFormView):
    template_name = "community/contact.html"
    form_class = ContactForm
    rate_scope = "contact"
    title = "Contact us"

    def form_valid(self, form):
        data = form.cleaned_data
        services.contact_message_create(
            name=data["name"], email=data["email"], topic=data["topic"], message=data["message"]
        )
        return redirect(self.get_success_url())

    def get_success_url(self):
        return reverse("community:contact-thanks")


class SignupView(ProtectedFormView):
    template_name = "community/signup.html"
    form_class = SignupForm
    rate_scope = "signup"
    title = "Join the community"

    def form_valid(self, form):
        data = form.cleaned_data
        chosen = [form.fields[name].label for name in INTEREST_FIELDS if data[name]]
        services.subscriber_signup(
            email=data["email"],
            first_name=data["first_name"],
            consent_text=f"{SIGNUP_CONSENT}\nInterests: " + "; ".join(chosen),
            **{name: data[name] for name in INTEREST_FIELDS},
        )
        return redirect(self.get_success_url())

    def get_success_url(self):
        return reverse("community:signup-thanks")


class CommentView(ProtectedFormView):
    template_name = "community/comment_form.html"
    form_class = CommentForm
    rate_scope = "comment"

    def dispatch(self, request, *args, **kwargs):
        self.article = get_object_or_404(
            published_articles()
            .select_related("category")
            .only("title", "slug", "category__name", "category__slug"),
            slug=kwargs["slug"],
        )
        self.title = "Write a comment"
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        services.comment_create(
            article=self.article, name=data["name"], email=data["email"], body=data["body"]
        )
        return redirect(self.get_success_url())

    def get_success_url(self):
        return reverse("community:comment-thanks", args=[self.article.slug])

    def get_crumbs(self):
        return [
            HOME,
            (self.article.title, self.article.get_absolute_url()),
            (self.title, self.request.path),
        ]

    def get_context_data(self, **kwargs):
        return super().get_context_data(article=self.article, **kwargs)


class CommentListView(BreadcrumbsMixin, ListView):
    """Every approved comment on an article, oldest first, a page at a time."""

    template_name = "community/comment_list.html"
    paginate_by = 50

    def get_queryset(self):
        self.article = get_object_or_404(
            published_articles().only("title", "slug"), slug=self.kwargs["slug"]
        )
        return (
            Comment.objects.approved()
            .filter(article=self.article)
            .only("name", "body", "created", "reply")
            .order_by("created", "id")
        )

    def get_crumbs(self):
        return [
            HOME,
            (self.article.title, self.article.get_absolute_url()),
            ("Comments", self.request.path),
        ]

    def get_context_data(self, **kwargs):
        return super().get_context_data(article=self.article, **kwargs)


class PageView(BreadcrumbsMixin, TemplateView):
    title = ""

    def get_crumbs(self):
        return [HOME, (self.title, self.request.path)]


class CommentThanksView(PageView):
    template_name = "community/comment_thanks.html"
    title = "Thank you"

    def get_context_data(self, **kwargs):
        article = get_object_or_404(
            published_articles().only("title", "slug"), slug=self.kwargs["slug"]
        )
        return super().get_context_data(article=article, **kwargs)


class WhatsAppView(PageView):
    template_name = "community/whatsapp.html"
    title = "WhatsApp community"

    def get_context_data(self, **kwargs):
        return super().get_context_data(community=CommunitySettings.load(), **kwargs)


def _token_problem(request, error):
    return render(request, "community/token_problem.html", {"expired": error.expired}, status=400)


@method_decorator(never_cache, name="dispatch")
class ConfirmView(View):
    """GET shows a button; only the POST confirms, so link scanners confirm nothing."""

    def get(self, request, token):
        try:
            subscriber = tokens.subscriber_for(token, purpose="confirm")
        except tokens.BadToken as error:
            return _token_problem(request, error)
        return render(request, "community/confirm.html", {"subscriber": subscriber})

    def post(self, request, token):
        if over_limit(request, "token"):
            return too_many_requests(request, "token")
        try:
            subscriber = tokens.subscriber_for(token, purpose="confirm")
        except tokens.BadToken as error:
            return _token_problem(request, error)
        services.subscriber_confirm(subscriber)
        subscriber.refresh_from_db()
        return render(request, "community/confirmed.html", {"subscriber": subscriber})


@method_decorator([csrf_exempt, never_cache], name="dispatch")
class UnsubscribeView(View):
    """RFC 8058 one-click: a POST with the signed token unsubscribes. GET shows a button."""

    def get(self, request, token):
        try:
            subscriber = tokens.subscriber_for(token, purpose="unsubscribe")
        except tokens.BadToken as error:
            return _token_problem(request, error)
        return render(request, "community/unsubscribe.html", {"subscriber": subscriber})

    def post(self, request, token):
        # No per-address rate limit: one-click POSTs arrive from a few mailbox-provider
        # servers for thousands of readers, and are not retried if refused. The signed
        # token is the authority, and unsubscribing twice changes nothing.
        try:
            subscriber = tokens.subscriber_for(token, purpose="unsubscribe")
        except tokens.BadToken as error:
            return _token_problem(request, error)
        services.subscriber_unsubscribe(subscriber)
        return render(request, "community/unsubscribed.html", {"subscriber": subscriber})
