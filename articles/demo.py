"""Demo content for the articles app, written for FibroSite (facts from the seed page, our words).

`load(stdout)` is called by `manage.py load_demo`; it only creates what is missing, so
running it again changes nothing.
"""

from datetime import date, timedelta

from django.utils import timezone
from django.utils.text import slugify

from articles.models import FAQ, Article, Category, Person, Reference, Synonym, Tag
from core.demo_images import soft_picture

CATEGORIES = [
    ("Fatigue", "fatigue", "Energy, pacing and the kind of tiredness that sleep does not fix.", (75, 63, 143)),
    ("Sleep", "sleep", "Unrefreshing sleep, night-time pain and routines that help you rest.", (36, 84, 122)),
    ("Pain", "pain", "Why fibromyalgia hurts, and ways to turn the volume down.", (140, 62, 82)),
    ("Fibro fog", "fibro-fog", "Memory, focus and word-finding on foggy days.", (60, 110, 96)),
    ("Treatments", "treatments", "Medicines, therapies and what the research says about them.", (120, 86, 40)),
    ("Daily living", "daily-living", "Work, home, family and appointments with a chronic illness.", (90, 90, 110)),
]  # fmt: skip

TAGS = ["Low-dose naltrexone", "Pacing", "Research", "Self-care", "Exercise", "Doctors", "Memory"]

LDN_BODY = """
Of all the things fibromyalgia takes away, energy is often the one people miss most. The pain gets
the headlines, but ask someone with fibromyalgia what stops them living the life they want and
many will say the fatigue: a heavy, bone-deep exhaustion that a good night in bed does not lift.
Low-dose naltrexone, usually shortened to **LDN**, is one of the treatments people ask us about most
often. This article sets out what it is, what the research so far does and does not show, and how
to talk about it with your doctor.

## What low-dose naltrexone is

Naltrexone is not a new drug. At its usual strength of around 50 mg a day it has been prescribed
for many years to help people recovering from alcohol or opioid dependence, because it blocks
opioid receptors in the brain.

"Low dose" means a very much smaller amount: typically somewhere between **1.5 and 4.5 mg a day**,
roughly a tenth of the standard dose or less. At that level the medicine seems to behave
differently. Rather than simply blocking receptors, it appears to act on the immune cells of the
brain and spinal cord (the glia), which can release inflammatory signals that keep pain and
fatigue switched on.

## Why fibromyalgia fatigue is different

Fibromyalgia fatigue is not ordinary tiredness. It tends to:

- stay with you even after a long night's sleep;
- arrive together with unrefreshing sleep, stiffness and "fibro fog";
- get much worse for a day or two after doing a little too much.

Nobody fully understands its causes yet. The leading ideas involve a nervous system that has
become over-sensitive (central sensitisation), low-level inflammation and disturbed sleep
working on each other.

## How LDN might help

The theory is that a small dose of naltrexone calms over-active glial cells, lowering the
inflammatory chemicals they release. If that is right, it could ease several symptoms at once:
pain, stiffness, and the fatigue that comes with them. A brief blockade of opioid receptors may
also nudge the body to make more of its own endorphins.

This is a plausible mechanism, not a proven one, and it is one reason researchers are keen to
study LDN properly.

## What the studies show so far

The early results are encouraging but small:

1. A pilot study at Stanford gave LDN to ten women with fibromyalgia and found their symptoms
   eased compared with placebo.
2. A follow-up crossover trial with 31 women found lower daily pain and better general
   satisfaction with life and mood while taking LDN; fatigue improved for some participants.
3. A later small study measured blood markers of inflammation and found several were lower after
   eight weeks of LDN.

People in these studies often described feeling more awake and less weighed down, sometimes
within a few weeks. Others noticed little change. The numbers are still small, follow-up has been
short, and larger trials are needed to say who benefits, at what dose and for how long.

## Side effects and safety

LDN is usually well tolerated. The side effects people mention most are **vivid dreams**,
**headaches** and **mild stomach upset**, which often settle after the first weeks or with a
change in the time of day it is taken.

> [!WARNING] Not with opioid painkillers
> LDN is not suitable for everyone. Because it blocks opioid receptors, it can stop opioid
> painkillers (such as codeine, tramadol or morphine) from working and can bring on withdrawal
> in people who take them.

Always talk to a doctor or pharmacist who knows your full medical history before starting it.
In many countries LDN is prescribed "off label", which means your doctor takes responsibility
for deciding it is right for you.

## Where LDN fits in a care plan

No single treatment fixes fibromyalgia. LDN, if it helps you, is one tool among several. Most
people do best with a mix of:

- pacing and energy planning;
- gentle movement such as walking, swimming or yoga, increased slowly;
- steady sleep habits;
- support for stress, low mood and anxiety;
- other medicines where they help.

## Small things that help with fatigue alongside any treatment

Whatever you decide about LDN, a few everyday habits can make fatigue a little lighter: keeping
regular sleep and wake times, breaking tasks into short pieces with rests in between, eating
regular balanced meals, and using relaxation or breathing exercises on high-pain days.

> [!TIP]
> Keep a short diary for the first few weeks of any new treatment: energy, pain and sleep
> marked out of ten each evening. Small changes are easier to see on paper than from memory,
> and the diary is useful to bring to your next appointment.

## The short version

LDN is a promising, generally gentle option that may reduce fatigue and pain for some people with
fibromyalgia. The evidence is early, it is not right for everyone, and the best results come when
it is part of a wider plan agreed with a clinician who knows you.
"""

LDN_SUMMARY = """LDN is naltrexone at roughly a tenth of its usual dose, commonly 1.5 to 4.5 mg a day.
It may calm inflammation in the nervous system, which could ease fatigue and pain.
Small studies are encouraging; larger trials are still needed.
Side effects are usually mild: vivid dreams, headaches, an upset stomach.
It must not be combined with opioid painkillers: always ask your doctor first."""

LDN_FAQS = [
    (
        "How could low-dose naltrexone help with fibromyalgia fatigue?",
        "It is thought to calm immune cells in the brain and spinal cord and reduce the "
        "inflammatory signals they release. That may lower pain and fatigue and help the nervous "
        "system process them more normally, which some people notice as more energy.",
    ),
    (
        "Is low-dose naltrexone safe for people with fibromyalgia?",
        "Most people tolerate it well and side effects tend to be mild. It is **not** suitable if "
        "you take opioid painkillers, because it blocks them. Talk to your doctor or pharmacist "
        "before you start.",
    ),
    (
        "How long does it take to notice a difference?",
        "Some people feel a change within a few weeks; for others it takes a couple of months, "
        "and some notice no change. Everyone responds differently, so agree with your doctor how "
        "long to try it before deciding.",
    ),
    (
        "Can low-dose naltrexone replace my other fibromyalgia treatments?",
        "No. It is not a cure. It works best as one part of a wider plan that can include pacing, "
        "gentle exercise, sleep habits, emotional support and other medicines.",
    ),
    (
        "What dose of low-dose naltrexone is usually used?",
        "Typically between 1.5 and 4.5 mg a day, often started low and raised slowly. The right "
        "dose for you is for your prescriber to decide.",
    ),
]

LDN_REFERENCES = [
    (
        "Younger J, Mackey S. Fibromyalgia symptoms are reduced by low-dose naltrexone: "
        "a pilot study. Pain Medicine. 2009;10(4):663-672.",
        "10.1111/j.1526-4637.2009.00613.x",
    ),
    (
        "Younger J, Noor N, McCue R, Mackey S. Low-dose naltrexone for the treatment of "
        "fibromyalgia: findings of a small, randomized, double-blind, placebo-controlled, "
        "counterbalanced, crossover trial assessing daily pain levels. Arthritis & Rheumatism. "
        "2013;65(2):529-538.",
        "10.1002/art.37734",
    ),
    (
        "Parkitny L, Younger J. Reduced pro-inflammatory cytokines after eight weeks of low-dose "
        "naltrexone for fibromyalgia. Biomedicines. 2017;5(2):16.",
        "10.3390/biomedicines5020016",
    ),
    (
        "Clauw DJ. Fibromyalgia: a clinical review. JAMA. 2014;311(15):1547-1555.",
        "10.1001/jama.2014.3266",
    ),
]

# (title, slug, category slug, tags, key points, body, featured)
MORE_ARTICLES = [
    (
        "Pacing: spending your energy like a budget",
        "pacing-energy-budget",
        "fatigue",
        ["Pacing", "Self-care"],
        "Pacing means planning activity so you stop before symptoms flare.\n"
        "Short bursts with planned rests beat one long push.\nA simple diary shows your limits.",
        "## Why pacing matters\n\nMany people with fibromyalgia live in a *boom and bust* cycle: on a "
        "good day they catch up on everything, then pay for it with two or three bad days.\n\n"
        "## How to start\n\n1. Keep a simple diary for a week: what you did, and how you felt the "
        "next day.\n2. Find the amount of an activity you can do *without* a flare, then take a "
        "little off.\n3. Split tasks: ten minutes of tidying, a rest, then ten more.\n\n"
        "## Be kind to yourself\n\nPacing takes practice. A flare is information, not failure.",
        True,
    ),
    (
        "Tiredness or fatigue? Knowing the difference",
        "tiredness-or-fatigue",
        "fatigue",
        ["Self-care"],
        "Everyday tiredness lifts with rest; fibromyalgia fatigue often does not.\n"
        "Describing your fatigue precisely helps your doctor.",
        "Everyone gets tired. Fibromyalgia fatigue is different: it can feel like walking through "
        "water, arrive without warning and stay after a full night in bed.\n\n## Words that help "
        "at appointments\n\nTry describing *how long* it lasts, *what* makes it worse, and *what* "
        "you have stopped doing because of it.",
        False,
    ),
    (
        "Why sleep feels unrefreshing, and small changes that help",
        "unrefreshing-sleep",
        "sleep",
        ["Self-care"],
        "Many people with fibromyalgia spend less time in deep sleep.\n"
        "Regular times, a cool dark room and a wind-down hour help.\n"
        "Ask your doctor about sleep apnoea or restless legs.",
        "Waking up feeling as if you never slept is one of the most common fibromyalgia "
        "complaints.\n\n## What is going on\n\nSleep studies suggest deep, restoring sleep is "
        "often interrupted.\n\n## Things to try\n\n- Go to bed and get up at the same times.\n- "
        "Keep screens out of the last hour.\n- Keep the bedroom cool, dark and quiet.\n\n## When "
        "to ask for help\n\nLoud snoring, gasping or restless legs are worth mentioning to your "
        "doctor.",
        False,
    ),
    (
        "A wind-down routine for painful nights",
        "wind-down-routine",
        "sleep",
        ["Self-care", "Pacing"],
        "A predictable routine tells your body that sleep is coming.\n"
        "Warmth and gentle stretching can ease night-time aches.",
        "An hour before bed, dim the lights and choose two or three calming steps: a warm shower, "
        "slow stretches, a few pages of an easy book.\n\n## Keep it simple\n\nThe routine matters "
        "more than the details. Do the same things in the same order.",
        False,
    ),
    (
        "Central sensitisation, explained without jargon",
        "central-sensitisation-explained",
        "pain",
        ["Research"],
        "In fibromyalgia the nervous system turns the volume of pain signals up.\n"
        "The pain is real even when scans look normal.\n"
        "Treatments aim to turn the volume back down.",
        "Imagine a smoke alarm that goes off when you make toast. In fibromyalgia the body's "
        "alarm system is similarly over-sensitive: ordinary signals are read as pain.\n\n## Why "
        "it matters\n\nUnderstanding this helps explain why pain moves around, why it can follow "
        "stress or poor sleep, and why treatments that calm the nervous system can help.",
        True,
    ),
    (
        "Warmth for aching muscles",
        "warmth-for-aching-muscles",
        "pain",
        ["Self-care"],
        "Many people find warmth eases stiffness.\nTest heat packs on your wrist first.",
        "Warm baths, heat packs and layers can loosen stiff muscles. Keep the heat comfortable, "
        "never hot, and limit heat packs to twenty minutes at a time.",
        False,
    ),
    (
        "Living with fibro fog: memory aids that work",
        "fibro-fog-memory-aids",
        "fibro-fog",
        ["Memory", "Self-care"],
        "Fibro fog affects memory, focus and finding words.\n"
        "Lists, alarms and one place for keys take the load off your memory.",
        "Fibro fog can mean walking into a room and forgetting why, or losing a word mid-sentence."
        "\n\n## Outsource your memory\n\n- Keep one notebook or phone note for everything.\n- Use "
        "alarms for medicines and appointments.\n- Give keys, glasses and wallet one home.\n\n## "
        "Protect your focus\n\nDo demanding tasks at your best time of day, one at a time.",
        False,
    ),
    (
        "Gentle exercise: start low, go slow",
        "gentle-exercise",
        "treatments",
        ["Exercise", "Pacing"],
        "Regular gentle movement is one of the best-supported fibromyalgia treatments.\n"
        "Start with a few minutes and increase slowly.\nWarm water exercise is a kind place to start.",
        "Exercise can sound like the last thing you need when you hurt. Yet gentle, regular "
        "movement is one of the best-studied ways to ease fibromyalgia over time.\n\n## How to "
        "begin\n\nStart with five minutes of walking or water exercise and add a minute or two "
        "each week if you cope well.\n\n## Listen to your body\n\nMild aches the next day are "
        "normal; a big flare means slow down.",
        False,
    ),
    (
        "Getting the most out of a doctor's appointment",
        "doctors-appointment",
        "daily-living",
        ["Doctors"],
        "Write down your top three questions before you go.\n"
        "Bring a symptom diary and a list of medicines.\nIt is fine to bring someone with you.",
        "Appointments are short and fibro fog makes them harder. A little preparation helps.\n\n"
        "## Before\n\nNote your three most important questions and any changes since last time."
        "\n\n## During\n\nAsk the doctor to write down anything important.\n\n## After\n\nRead "
        "your notes the same day while they are fresh.",
        False,
    ),
]

SITE_FAQS = [
    ("fatigue", "Is fibromyalgia fatigue the same as chronic fatigue syndrome?",
     "They overlap and can occur together, but they are diagnosed separately. A doctor can help "
     "tell them apart."),
    ("sleep", "Why do I wake up feeling unrefreshed?",
     "Fibromyalgia often disturbs deep sleep. Regular sleep times and treating other sleep "
     "problems can help."),
    ("pain", "Is fibromyalgia pain 'all in my head'?",
     "No. The pain is real: the nervous system processes pain signals differently. That is a "
     "physical change, not imagination."),
    ("fibro-fog", "Will fibro fog get worse over time?",
     "Fibro fog usually comes and goes with other symptoms such as poor sleep and pain; it is "
     "not a form of dementia."),
    ("treatments", "Is there a cure for fibromyalgia?",
     "Not yet, but many people improve a great deal with a mix of treatments and self-care."),
    ("daily-living", "Can I keep working with fibromyalgia?",
     "Many people do, often with adjustments such as flexible hours or rest breaks. Your "
     "employer may be required to consider reasonable changes."),
]  # fmt: skip


# Words readers use for the same thing (editors manage these in the admin).
SYNONYMS = [
    "insomnia, sleep",
    "brain fog, fibro fog",
    "LDN, low-dose naltrexone",
    "tiredness, fatigue, exhaustion",
    "exercise, movement",
    "heat, warmth",
    "doctor, GP, physician",
]


def load(stdout):
    for terms in SYNONYMS:
        Synonym.objects.get_or_create(terms=terms)
    categories = {}
    for order, (name, slug, description, _colour) in enumerate(CATEGORIES):
        categories[slug], _ = Category.objects.get_or_create(
            slug=slug, defaults={"name": name, "description": description, "order": order}
        )
    tags = {
        name: Tag.objects.get_or_create(name=name, defaults={"slug": slugify(name)})[0]
        for name in TAGS
    }
    colours = {slug: colour for _, slug, _, colour in CATEGORIES}
    now = timezone.now()

    ldn = _article(
        title="Is low-dose naltrexone the answer to fibromyalgia fatigue?",
        slug="low-dose-naltrexone-fibromyalgia-fatigue",
        category=categories["treatments"],
        summary=LDN_SUMMARY,
        body=LDN_BODY.strip(),
        featured=True,
        publish_at=now - timedelta(days=2),
        reviewed_by=Person.objects.get_or_create(
            slug="medical-review-panel",
            defaults={
                "name": "FibroSite medical review panel",
                "role": "Clinicians who check our articles against current evidence",
                "bio": "Every treatment article is read by a clinician before it is published "
                "and again at least once a year.",
            },
        )[0],
        last_reviewed=date.today() - timedelta(days=2),
        colour=colours["treatments"],
        tags=[tags["Low-dose naltrexone"], tags["Research"]],
        faqs=LDN_FAQS,
        references=LDN_REFERENCES,
    )
    created = [ldn]
    for days, (title, slug, cat, tag_names, summary, body, featured) in enumerate(MORE_ARTICLES, 3):
        created.append(
            _article(
                title=title,
                slug=slug,
                category=categories[cat],
                summary=summary,
                body=body,
                featured=featured,
                publish_at=now - timedelta(days=days * 4),
                colour=colours[cat],
                tags=[tags[name] for name in tag_names],
            )
        )
    for order, (cat, question, answer) in enumerate(SITE_FAQS):
        FAQ.objects.get_or_create(
            article=None,
            question=question,
            defaults={"answer": answer, "category": categories[cat], "order": order},
        )
    stdout.write(f"Articles: {Article.objects.count()}, FAQs: {FAQ.objects.count()}.")


def _article(*, colour, tags, faqs=(), references=(), **fields):
    slug = fields.pop("slug")
    article = Article.objects.filter(slug=slug).first()
    if article is not None:
        return article
    article = Article(slug=slug, status=Article.Status.PUBLISHED, **fields)
    article.hero_alt = "A soft abstract pattern in calm colours"
    article.hero_image.save(
        f"{slug}.jpg", soft_picture(slug, palette=(colour, (244, 239, 230))), save=False
    )
    article.save()
    article.tags.set(tags)
    for order, (question, answer) in enumerate(faqs):
        FAQ.objects.create(article=article, question=question, answer=answer, order=order)
    for order, (citation, doi) in enumerate(references):
        Reference.objects.create(article=article, citation=citation, doi=doi, order=order)
    return article
