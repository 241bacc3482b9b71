"""Site search: `search(query)` is the one entry point; views and templates know nothing else.

What can be found comes from *sources*, one per model, registered from each app's own
`AppConfig.ready()` with `register(SomeSource())`:

- articles registers articles, questions (FAQs) and topics (categories), see
  articles/search/sources.py;
- store registers products, see store/search.py.

A source turns one object into a `Document` (or None when visitors must not find it)
and names the objects whose documents depend on it. Saves and deletes reach the index
through signals connected here, as one task per transaction run by the worker after it
commits (`articles.tasks.reindex`: an editor's save never waits for the index); bulk
`update()`s call `index_all(queryset)` themselves;
`manage.py rebuild_search_index` (and the first `migrate` on a site with content) builds
it all. Every document becomes a `SearchEntry` row holding normalised stems
(articles/search/text.py), so both databases match the same entries; each database's
backend (articles/search/backends.py) finds candidates with its own index, and the
ranking below is the same Python for both.
"""

import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.apps import apps
from django.db import connection, transaction
from django.db.models import F
from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from rapidfuzz import process
from rapidfuzz.distance import OSA

from articles.models import SearchEntry, SearchWord, Synonym
from articles.search import text
from articles.search.backends import backend

KINDS = {"article": "Article", "faq": "Question", "product": "Product", "topic": "Topic"}
KIND_ORDER = {kind: n for n, kind in enumerate(KINDS)}
ALWAYS = datetime(2000, 1, 1, tzinfo=UTC)  # live_from of things that are never scheduled

# Points a query word earns where it is found; a synonym's earn SYNONYM_SHARE of them.
IN_TITLE, IN_LEAD, IN_TEXT = 8.0, 4.0, 1.0
SHORT_TITLE = 4.0  # shared out over the title's words: a short title about the word wins
SYNONYM_SHARE = 0.7
# An article usually answers more fully than a one-line question or a topic page.
KIND_WEIGHT = {"article": 1.1, "faq": 1.0, "product": 1.0, "topic": 0.9}


# Sources and the index ------------------------------------------------------------------


@dataclass
class Document:
    key: str
    kind: str
    title: str
    url: str
    live_from: datetime
    label: str = ""
    lead: str = ""
    text: str = ""


class Source:
    model = None

    def key(self, obj):
        raise NotImplementedError

    def document(self, obj):
        """A Document, or None if visitors must not find this object now."""
        raise NotImplementedError

    def queryset(self):
        return self.model._default_manager.all()

    def related(self, obj, changed):
        """Other indexed objects whose documents show something of this one; `changed`
        says whether its title, address or publish time (or visibility) changed."""
        return ()


_sources = {}


def register(source):
    _sources[source.model] = source
    name = source.model._meta.label_lower
    post_save.connect(_on_save, sender=source.model, dispatch_uid=f"search-save-{name}")
    post_delete.connect(_on_delete, sender=source.model, dispatch_uid=f"search-delete-{name}")


def _on_save(sender, instance, raw=False, **kwargs):
    if not raw:
        _queue(sender, instance.pk)


def _on_delete(sender, instance, **kwargs):
    _queue(sender, instance.pk)


class _Pending:
    """What one transaction changed, handed to the worker as one task once it commits."""

    def __init__(self):
        self.items, self.flushed = {}, False

    def flush(self):
        from articles.tasks import reindex  # the task module imports this one

        items, self.items, self.flushed = list(self.items), {}, True
        if items:
            reindex.enqueue([list(item) for item in items])


def _queue(model, pk):
    conn = transaction.get_connection()
    pending = getattr(conn, "_search_pending", None)
    # A rolled-back transaction dropped its callback (and its changes): start afresh.
    if (
        pending is None
        or pending.flushed
        or not any(entry[1] == pending.flush for entry in conn.run_on_commit)
    ):
        pending = conn._search_pending = _Pending()
        pending.items[(model._meta.label, pk)] = None
        transaction.on_commit(pending.flush)  # at once when no transaction is open
        return
    pending.items[(model._meta.label, pk)] = None


def reindex(items):
    """Bring the index up to date for [(model label, pk), ...]: saved or deleted since."""
    with transaction.atomic():
        for label, pk in items:
            model = apps.get_model(label)
            source = _sources[model]
            obj = source.queryset().filter(pk=pk).first()
            if obj is None:
                remove(source.key(model(pk=pk)))
            else:
                index(obj)


def index(obj):
    source = _sources[type(obj)]
    key = source.key(obj)
    with transaction.atomic():
        document = source.document(obj)
        before = SearchEntry.objects.filter(key=key).values_list("title", "url", "live_from")
        before = before.first()
        if document is None:
            remove(key)
        else:
            _store(document)
        after = document and (document.title, document.url, document.live_from)
        for other in source.related(obj, changed=before != after):
            index(other)


def index_all(queryset):
    """After a bulk update(), which sends no signals: the same one task after commit."""
    for pk in queryset.values_list("pk", flat=True):
        _queue(queryset.model, pk)


def remove(key):
    entry = SearchEntry.objects.filter(key=key).values_list("pk", "words").first()
    if entry is not None:
        _delete(SearchEntry, entry[0])
        _count_words(removed=entry[1].split())


def _delete(model, pk=None):
    """Plain SQL: a model delete would load each row and signal it (40,000 page-cache
    invalidations for a rebuild); the change that caused this one already did."""
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        if pk is None:
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - a model's own table name
        else:
            cursor.execute(f"DELETE FROM {table} WHERE id = %s", [pk])  # noqa: S608


def _entry(document):
    title, lead, body = (
        text.words(part) for part in (document.title, document.lead, document.text)
    )
    every = set(title) | set(lead) | set(body)
    return SearchEntry(
        key=document.key,
        kind=document.kind,
        title=document.title[:300],
        url=document.url,
        label=document.label[:200],
        text=document.text,
        title_stems=" ".join(dict.fromkeys(text.stem(w) for w in title)),
        lead_stems=" ".join(dict.fromkeys(text.stem(w) for w in lead)),
        stems=" ".join(sorted({text.stem(w) for w in every})),
        words=" ".join(sorted(w for w in every if _vocabulary_word(w))),
        live_from=document.live_from,
    )


def _vocabulary_word(word):
    return word.isalpha() and 3 <= len(word) <= 40


def _store(document):
    entry = _entry(document)
    old = SearchEntry.objects.filter(key=document.key).values_list("pk", "words").first()
    # update() and bulk_create() send no signals: the change that caused this one has
    # already told the page cache.
    if old:
        fields = {f.attname: getattr(entry, f.attname) for f in SearchEntry._meta.concrete_fields}
        del fields["id"]
        SearchEntry.objects.filter(pk=old[0]).update(**fields)
    else:
        SearchEntry.objects.bulk_create([entry])
    before, after = set(old[1].split()) if old else set(), set(entry.words.split())
    _count_words(added=after - before, removed=before - after)


def _count_words(added=(), removed=()):
    if added:
        SearchWord.objects.bulk_create(
            [SearchWord(word=w, stem=text.stem(w), length=len(w)) for w in added],
            ignore_conflicts=True,
        )
        SearchWord.objects.filter(word__in=added).update(entries=F("entries") + 1)
    if removed:
        SearchWord.objects.filter(word__in=removed, entries__gt=0).update(entries=F("entries") - 1)


def rebuild():
    """Build every entry and the vocabulary from scratch (new sites, bulk imports)."""
    with transaction.atomic():
        _delete(SearchEntry)
        _delete(SearchWord)
        entries = [
            _entry(document)
            for source in _sources.values()
            for obj in source.queryset().iterator(chunk_size=500)
            if (document := source.document(obj)) is not None
        ]
        # Oldest first, whatever their kind: ids then follow publication, which is the
        # order the backends walk matches in (newest first) and cap them.
        entries.sort(key=lambda entry: (entry.live_from, entry.key))
        SearchEntry.objects.bulk_create(entries, batch_size=500)
        counts = Counter(word for entry in entries for word in entry.words.split())
        SearchWord.objects.bulk_create(
            (
                SearchWord(word=w, stem=text.stem(w), length=len(w), entries=n)
                for w, n in counts.items()
            ),
            batch_size=1000,
        )
    return SearchEntry.objects.count()


# Searching -------------------------------------------------------------------------------


@dataclass
class Concept:
    """One thing the visitor asked for: a word, or a phrase, with its synonyms."""

    alternatives: list  # [(stems tuple, is_what_they_typed)]


@dataclass
class Hit:
    kind: str
    kind_label: str
    url: str
    title: str
    label: str
    snippet: str


class Results:
    """Ranked entries as a sequence a Paginator can count and slice; only the page shown
    is read in full (titles, text for snippets)."""

    def __init__(self, ids=(), wanted=frozenset()):
        self.ids, self.wanted = list(ids), wanted

    def __len__(self):
        return len(self.ids)

    def __getitem__(self, index):
        ids = self.ids[index] if isinstance(index, slice) else [self.ids[index]]
        found = SearchEntry.objects.only("kind", "url", "title", "label", "text").in_bulk(ids)
        hits = [self._hit(found[pk]) for pk in ids if pk in found]
        return hits if isinstance(index, slice) else hits[0]

    def __iter__(self):
        return iter(self[:])

    def _hit(self, entry):
        return Hit(
            kind=entry.kind,
            kind_label=KINDS.get(entry.kind, entry.kind),
            url=entry.url,
            title=text.highlight(entry.title, self.wanted),
            label=entry.label,
            snippet=text.snippet(entry.text, self.wanted),
        )


@dataclass
class Outcome:
    query: str  # as shown back: printable, single-spaced
    results: Results = field(default_factory=Results)
    suggestion: str = ""  # a corrected query ("Did you mean ...?"), which finds results
    searched: bool = False  # the query had words to look for
    more: bool = False  # more entries matched than were ranked (a word found everywhere)


def search(query, *, now=None):
    """Everything visitors may find for `query`, best first, whatever its kind."""
    shown = text.clean_query(query)
    terms = text.query_words(shown)
    if not terms:
        return Outcome(query=shown)
    synonyms = _synonym_groups()
    corrections = _corrections(terms, synonyms)
    stems = [text.stem(corrections.get(t, t)) for t in terms]
    concepts = _concepts(stems, synonyms)
    alternatives = list(dict.fromkeys(alt for c in concepts for alt, _ in c.alternatives))
    rows, more = backend().candidates(alternatives, now or timezone.now())
    ranked = _rank(rows, concepts)
    wanted = frozenset(s for alt in alternatives for s in alt)
    outcome = Outcome(query=shown, results=Results(ranked, wanted), searched=True, more=more)
    if corrections and ranked:
        outcome.suggestion = _corrected_query(shown, corrections)
    return outcome


def _synonym_groups():
    groups = []
    for terms in Synonym.objects.values_list("terms", flat=True):
        members = [tuple(text.stem(w) for w in text.words(t)) for t in terms.split(",")]
        members = list(dict.fromkeys(m for m in members if m))
        if len(members) > 1:
            groups.append((members, {w for t in terms.split(",") for w in text.words(t)}))
    return groups


def _corrections(terms, synonyms):
    """{typed word: the site's closest word} for words the site never uses: one typo in
    words of 4 to 7 letters, two in longer ones; the most used word wins a tie."""
    known_words = {w for _, words in synonyms for w in words}
    stems = {t: text.stem(t) for t in terms}
    known = set(SearchWord.objects.filter(stem__in=set(stems.values()), entries__gt=0)
                .values_list("stem", flat=True))  # fmt: skip
    unknown = {t for t in terms if stems[t] not in known and t not in known_words}
    unknown = {t for t in unknown if t.isalpha() and len(t) >= 4}
    if not unknown:
        return {}
    pool = backend().spelling_candidates(unknown)
    corrections = {}
    for term in unknown:
        candidates = {word: entries for word, _, entries in pool.get(term, ()) if entries > 0}
        candidates.update({w: candidates.get(w, 0) for w in known_words})
        allowed = 1 if len(term) <= 7 else 2
        close = process.extract(
            term, list(candidates), scorer=OSA.distance, score_cutoff=allowed, limit=None
        )
        if close:
            best = min(close, key=lambda c: (c[1], -candidates[c[0]], c[0]))
            corrections[term] = best[0]
    return corrections


def _concepts(stems, synonyms):
    concepts, used = [], [False] * len(stems)
    members = sorted(
        ((m, group) for group, _ in synonyms for m in group), key=lambda mg: -len(mg[0])
    )
    for member, group in members:
        n = len(member)
        for i in range(len(stems) - n + 1):
            if not any(used[i : i + n]) and tuple(stems[i : i + n]) == member:
                used[i : i + n] = [True] * n
                concepts.append(Concept([(m, m == member) for m in group]))
    for i, stem in enumerate(stems):
        if not used[i]:
            concepts.append(Concept([((stem,), True)]))
    # The same word twice counts once.
    unique = {tuple(c.alternatives): c for c in concepts}
    return list(unique.values())


def _rank(rows, concepts):
    scored = []
    for pk, kind, title_stems, lead_stems, stems, live_from in rows:
        title, lead, every = f" {title_stems} ", f" {lead_stems} ", f" {stems} "
        title_points = IN_TITLE + SHORT_TITLE / max(1, title_stems.count(" ") + 1)
        total, matched = 0.0, 0
        for concept in concepts:
            best = 0.0
            for alt, typed in concept.alternatives:
                if all(f" {s} " in title for s in alt):
                    points = title_points
                elif all(f" {s} " in lead for s in alt):
                    points = IN_LEAD
                elif all(f" {s} " in every for s in alt):
                    points = IN_TEXT
                else:
                    continue
                best = max(best, points if typed else points * SYNONYM_SHARE)
            if best:
                matched += 1
                total += best
        if matched:
            coverage = (matched / len(concepts)) ** 2
            score = round(total * coverage * KIND_WEIGHT.get(kind, 1.0), 6)
            scored.append((matched, score, kind, live_from, pk))
    if not scored:
        return []
    # Once something has every word, drop what has fewer than half of them.
    enough = math.ceil(max(s[0] for s in scored) / 2)
    scored = [s for s in scored if s[0] >= enough]
    scored.sort(key=lambda s: (-s[1], KIND_ORDER.get(s[2], 9), -s[3].timestamp(), -s[4]))
    return [s[4] for s in scored]


def _corrected_query(shown, corrections):
    out = []
    for raw in shown.split():
        folded = text.words(raw)
        if len(folded) == 1 and folded[0] in corrections:
            out.append(corrections[folded[0]])
        else:
            out.append(raw)
    return " ".join(out)


def has_content():
    return any(source.queryset().exists() for source in _sources.values())
