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


def person_data(person, *, full=False):
    """schema.org Person for a profile: what readers see, never an account's login."""
    data = {"@type": "Person", "name": person.name, "url": absolute(person.get_absolute_url())}
    if person.credentials:
        data["honorificSuffix"] = person.credentials
    if person.role:
        data["jobTitle"] = person.role
    if full:
        if person.bio:
            data["description"] = person.bio
        if person.link_list:
            data["sameAs"] = person.link_list
        if person.photo_renditions:
            data["image"] = absolute(default_storage.url(person.photo_renditions[-1]["original"]))
    return data


def profile_page(person):
    return {
        "@context": "https://schema.org",
        "@type": "ProfilePage",
        "mainEntity": person_data(person, full=True),
    }


def hero_url(article):
    if not article.hero_image.is_public:
        return ""
    if article.hero_renditions:
        return absolute(default_storage.url(article.hero_renditions[-1]["original"]))
    return absolute(article.hero_image.url)


def share_image(article):
    """(absolute address, description) of the image a shared link shows, or ("", "")."""
    if article.social_image.is_public:
        # Networks want about 1200 px wide: the copy nearest that, else the original.
        sized = sorted(article.social_renditions, key=lambda r: abs(r["width"] - 1200))
        name = sized[0]["original"] if sized else article.social_image.name
        return absolute(default_storage.url(name)), article.social_alt
    if article.hero_image.is_public:
        return hero_url(article), article.hero_alt
    return "", ""


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
            person_data(article.written_by)
            if article.written_by
            else {"@type": "Organization", "name": article.author_name}
        ),
        "publisher": {"@type": "Organization", "name": "FibroSite", "url": settings.SITE_URL},
        "about": {"@type": "MedicalCondition", "name": "Fibromyalgia"},
        "articleSection": article.category.name,
        "keywords": [tag.name for tag in article.tags.all()],
        "inLanguage": "en-GB",
    }
    if article.hero_image.is_public:
        data["image"] = hero_url(article)
    if article.reviewed_by:
        data["reviewedBy"] = person_data(article.reviewed_by)
    if article.last_reviewed:
        data["lastReviewed"] = article.last_reviewed.isoformat()
    return data
