"""Demo content for the community app: link sections, the WhatsApp settings, a few comments.

`load(stdout)` only creates what is missing, so running it again changes nothing.
"""

from datetime import timedelta

from django.utils import timezone

from articles.models import Article
from community.models import Comment, CommunitySettings, SiteLink

S = SiteLink.Section
LINKS = [
    (S.MORE_INFO, "NHS: fibromyalgia", "https://www.nhs.uk/conditions/fibromyalgia/"),
    (S.MORE_INFO, "NIAMS: fibromyalgia basics", "https://www.niams.nih.gov/health-topics/fibromyalgia"),
    (S.MORE_INFO, "Versus Arthritis: fibromyalgia", "https://versusarthritis.org/about-arthritis/conditions/fibromyalgia/"),
    (S.BLOGS, "Fibromyalgia Action UK", "https://www.fmauk.org/"),
    (S.BLOGS, "National Fibromyalgia & Chronic Pain Association", "https://fmcpaware.org/"),
    (S.STORES, "The fibromyalgia store", "https://fibromyalgia.dashery.com/"),
    (S.COMMUNITY, "Find a local support group (FMA UK)", "https://www.fmauk.org/support-groups"),
]  # fmt: skip

WHATSAPP_RULES = """Be kind. Everyone here is living with pain or caring for someone who is.
Share experiences, not prescriptions: nobody here is your doctor.
No selling, no links to miracle cures, no spam.
Keep what people share in the group inside the group.
Mute the chat whenever you need to; nobody expects instant replies."""

COMMENTS = [
    (
        "low-dose-naltrexone-fibromyalgia-fatigue",
        "Maria",
        "My GP had never heard of LDN, so I printed the study summaries from this page and took "
        "them along. We agreed to try it for three months. Week five and the afternoons feel "
        "less like wading through mud. Still early days!",
        "Thank you for sharing this, Maria. Taking the research to your appointment is a great "
        "idea. Do let us know how the three months go.",
        9,
    ),
    (
        "low-dose-naltrexone-fibromyalgia-fatigue",
        "Tom",
        "The vivid dreams in the first fortnight were no joke, but they settled down. Taking it "
        "in the morning instead helped me.",
        "",
        6,
    ),
    (
        "low-dose-naltrexone-fibromyalgia-fatigue",
        "Priya",
        "Worth saying: I'm on tramadol, and my pharmacist explained why LDN isn't an option for "
        "me right now. Glad the article mentions it.",
        "",
        3,
    ),
    (
        "pacing-energy-budget",
        "Sam",
        "The idea of stopping *before* I feel tired changed everything. I set a timer for "
        "housework now.",
        "A timer is such a good tool. Thank you, Sam.",
        4,
    ),
]


def load(stdout):
    for order, (section, label, url) in enumerate(LINKS):
        SiteLink.objects.get_or_create(
            section=section, url=url, defaults={"label": label, "order": order}
        )
    if not CommunitySettings.objects.exists():
        CommunitySettings(
            whatsapp_invite_url="https://chat.whatsapp.com/FibroSiteDemoInvite",
            whatsapp_rules=WHATSAPP_RULES,
        ).save()
    articles = Article.objects.in_bulk([c[0] for c in COMMENTS], field_name="slug")
    now = timezone.now()
    for slug, name, body, reply, days_ago in COMMENTS:
        if slug not in articles:
            continue
        Comment.objects.get_or_create(
            article=articles[slug],
            name=name,
            body=body,
            defaults={
                "email": f"{name.lower()}@example.com",
                "status": Comment.Status.APPROVED,
                "consent_at": now - timedelta(days=days_ago),
                "created": now - timedelta(days=days_ago),
                "reply": reply,
                "replied_at": now - timedelta(days=days_ago - 1) if reply else None,
            },
        )
    stdout.write(
        f"Site links: {SiteLink.objects.count()}, "
        f"approved comments: {Comment.objects.approved().count()}."
    )
