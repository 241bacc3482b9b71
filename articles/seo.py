"""Structured data (schema.org JSON-LD) for article, FAQ and listing pages."""

from django.conf import settings
from django.core.files.storage import default_storage


def absolute(path):
    return f"{settings.SITE_URL}{path}"


def breadcrumb_list(crumbs):
    return {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": i, "name": label, "item": absolute(url)}
            for i, (label, url) in enumerate(crumbs, start=1)
        ],
    }


def faq_page(faqs):
    return {
        "@context": "https://schema.org",
        "@type": "FAQPage",
        "mainEntity": [
            {
                "@type": "Question",
                "name": faq.question,
                "acceptedAnswer": {"@type": "Answer", "text": faq.answer_html},
            }
            for faq in faqs
        ],
    }


def hero_url(article):
    if not article.hero_image:
        return ""
    if article.hero_renditions:
        return absolute(default_storage.url(article.hero_renditions[-1]["original"]))
    return absolute(article.hero_image.url)


def medical_web_page(article):
    data = {
        "@context": "https://schema.org",
        "@type": ["MedicalWebPage", "Article"],
        "headline": article.title,
        "description": article.description,
        "url": absolute(article.get_absolute_url()),
        "datePublished": article.publish_at.isoformat(),
        "dateModified": article.updated.isoformat(),
        "author": (
            {"@type": "Person", "name": article.author_full_name}
            if article.author_full_name
            else {"@type": "Organization", "name": article.author_name}
        ),
        "publisher": {"@type": "Organization", "name": "FibroSite", "url": settings.SITE_URL},
        "about": {"@type": "MedicalCondition", "name": "Fibromyalgia"},
        "articleSection": article.category.name,
        "keywords": [tag.name for tag in article.tags.all()],
        "inLanguage": "en-GB",
    }
    if article.hero_image:
        data["image"] = hero_url(article)
    if article.reviewer_name:
        data["reviewedBy"] = {"@type": "Person", "name": article.reviewer_name}
    if article.last_reviewed:
        data["lastReviewed"] = article.last_reviewed.isoformat()
    return data
