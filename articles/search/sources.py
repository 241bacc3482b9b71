"""The articles app's searchable things: articles, questions (FAQs) and topics (categories)."""

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from articles.models import FAQ, Article, Category
from articles.search import ALWAYS, Document, Source
from articles.search.text import html_to_text


class ArticleSource(Source):
    model = Article

    def key(self, article):
        return f"article:{article.pk}"

    def queryset(self):
        return Article.objects.select_related("category")

    def document(self, article):
        if article.status != Article.Status.PUBLISHED:
            return None
        key_points = " ".join(article.key_points)
        published = date_format(timezone.localtime(article.publish_at), "j F Y")
        return Document(
            key=self.key(article),
            kind="article",
            title=article.title,
            url=article.get_absolute_url(),
            label=f"{article.category.name} · {published}",
            lead=key_points,
            text=f"{key_points} {html_to_text(article.body_html)}",
            live_from=article.publish_at,
        )

    def related(self, article, changed):
        # Its questions link into it, name it and go live with it.
        return article.faqs.all() if changed else ()


class FAQSource(Source):
    model = FAQ

    def key(self, faq):
        return f"faq:{faq.pk}"

    def queryset(self):
        return FAQ.objects.select_related("article__category", "category")

    def document(self, faq):
        answer = html_to_text(faq.answer_html)
        article = faq.article
        if article is None:
            return Document(
                key=self.key(faq),
                kind="faq",
                title=faq.question,
                url=f"{reverse('articles:faq')}#faq-{faq.pk}",
                label=f"Questions and answers · {faq.category.name}"
                if faq.category
                else "Questions and answers",
                text=answer,
                live_from=ALWAYS,
            )
        if article.status != Article.Status.PUBLISHED:
            return None
        # The article's title is the question's context ("How long does it take?").
        return Document(
            key=self.key(faq),
            kind="faq",
            title=faq.question,
            url=f"{article.get_absolute_url()}#faq-{faq.pk}",
            label=f"From “{article.title}”",
            lead=article.title,
            text=answer,
            live_from=article.publish_at,
        )


class CategorySource(Source):
    model = Category

    def key(self, category):
        return f"topic:{category.pk}"

    def document(self, category):
        return Document(
            key=self.key(category),
            kind="topic",
            title=category.name,
            url=category.get_absolute_url(),
            label="Topic: articles and questions",
            lead=category.description,
            text=category.description,
            live_from=ALWAYS,
        )

    def related(self, category, changed):
        # Their result lines name the category: only a new name needs them re-indexed.
        if not changed:
            return ()
        return [*category.articles.select_related("category"), *category.faqs.all()]
