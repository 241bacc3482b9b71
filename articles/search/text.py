"""Words as search sees them, the same on every database.

Text and queries go through the same steps in Python: accents and apostrophes dropped,
lower case, stop words left out, English stems (PyStemmer, the Snowball stemmer). The
databases then only compare finished stems, so SQLite and PostgreSQL match the same
entries for the same words. Snippets and highlighting are built here too.
"""

import re
import unicodedata
from functools import lru_cache
from html import unescape

import Stemmer
from django.utils.html import escape, strip_tags
from django.utils.safestring import mark_safe

MAX_QUERY_CHARS = 200
MAX_QUERY_WORDS = 8
# Apostrophes are dropped inside words ("can't" -> "cant", "Ana's" -> "anas").
_APOSTROPHES = re.compile(r"(?<=\w)['’ʼ‘`](?=\w)")
_WORD = re.compile(r"[^\W_]+")
_BLOCK_TAGS = re.compile(r"</?(?:p|li|ul|ol|h[1-6]|blockquote|tr|td|th|br|div|dd|dt|pre)\b[^>]*>")

# Words that carry no meaning in a search ("is there a cure" is a search for "cure").
STOP_WORDS = frozenset(
    """a about above after again against all also am an and any are arent as at be because been
    before being below between both but by can cant could couldnt did didnt do does doesnt doing
    dont down during each few for from further get gets getting got had hadnt has hasnt have
    havent having he hed hes her here heres hers herself him himself his how hows i id ill im
    ive if in into is isnt it its itself just lets me more most much my myself no nor not of
    off on once only or other ought our ours ourselves out over own same shall she shes should
    shouldnt so some such than that thats the their theirs them themselves then there theres
    these they theyd theyll theyre theyve this those through to too under until up upon us very
    was wasnt we wed well were weve werent what whats when whens where wheres which while who
    whos whom why whys will with wont would wouldnt you youd youll youre youve your yours
    yourself yourselves""".split()
)

_stemmer = Stemmer.Stemmer("english")


@lru_cache(maxsize=50_000)
def stem(word):
    return _stemmer.stemWord(word)


def fold(text):
    """Lower case without accents or apostrophes: "Café’s" -> "cafes"."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _APOSTROPHES.sub("", plain)


def words(text):
    """The folded words of a text, stop words left out, in order."""
    return [w for w in _WORD.findall(fold(text)) if w not in STOP_WORDS]


def query_words(query):
    """Visitor search text as at most MAX_QUERY_WORDS folded words, controls removed."""
    printable = "".join(ch if ch.isprintable() else " " for ch in (query or "")[:MAX_QUERY_CHARS])
    return words(printable)[:MAX_QUERY_WORDS]


def clean_query(query):
    """The query as shown back to the visitor: printable, trimmed, single-spaced."""
    printable = "".join(ch if ch.isprintable() else " " for ch in (query or "")[:MAX_QUERY_CHARS])
    return " ".join(printable.split())


def stems(text):
    return [stem(w) for w in words(text)]


def html_to_text(html):
    """Readable plain text from rendered (sanitised) HTML: blocks become spaces."""
    return " ".join(unescape(strip_tags(_BLOCK_TAGS.sub(" ", html or ""))).split())


# Snippets -------------------------------------------------------------------------------

_TOKEN = re.compile(r"[^\W_]+(?:['’ʼ][^\W_]+)*")


@lru_cache(maxsize=100_000)
def _token_stem(token):
    """The stem a word of a text counts as (None for a stop word); cached, as the same
    words recur on every page of results."""
    folded = token.lower() if token.isascii() else fold(token)
    folded = folded.replace("'", "").replace("’", "").replace("ʼ", "")
    return None if folded in STOP_WORDS else stem(folded)


def _marks(text, wanted, limit):
    """(start, end, stem) of each word of text[:limit] whose stem is wanted."""
    found = []
    for match in _TOKEN.finditer(text, 0, limit):
        word_stem = _token_stem(match.group())
        if word_stem in wanted:
            found.append((match.start(), match.end(), word_stem))
    return found


def _render(text, marks):
    """Escape text and wrap each mark: escaping piece by piece never splits an entity."""
    out, at = [], 0
    for start, end, _ in marks:
        out.append(escape(text[at:start]))
        out.append(f"<mark>{escape(text[start:end])}</mark>")
        at = end
    out.append(escape(text[at:]))
    return mark_safe("".join(out))  # noqa: S308 - every piece of text is escaped above


def highlight(text, wanted):
    """The whole text, escaped, with the words whose stems are wanted in <mark>."""
    return _render(text, _marks(text, wanted, len(text)))


def snippet(text, wanted, width=220, scan=6_000):
    """About `width` characters around the best cluster of wanted words, cut at word
    boundaries, with an ellipsis where text was left out, highlighted and escaped."""
    text = text or ""
    marks = _marks(text, wanted, min(len(text), scan))
    start = 0
    if marks:
        # The window holding the most different wanted words; the earliest if equal.
        best, best_count = 0, 0
        for i, (at, _, _) in enumerate(marks[:100]):
            inside = set()
            for _, end, word_stem in marks[i:]:
                if end > at + width:
                    break
                inside.add(word_stem)
            if len(inside) > best_count:
                best, best_count = at, len(inside)
        # Start a little before the first word, at a sentence start if one is near.
        lead = max(0, best - width // 4)
        sentence = max(text.rfind(". ", lead, best), text.rfind("? ", lead, best))
        if sentence >= 0:
            start = sentence + 2
        elif lead > 0:
            space = text.find(" ", lead, best)
            start = space + 1 if space >= 0 else best
    end = start + width
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start else end
    else:
        end = len(text)
    cut_end = end
    while start < end and text[start] in " ,;:":
        start += 1
    while end > start and text[end - 1] in " ,;:":
        end -= 1
    inside = [(s - start, e - start, w) for s, e, w in marks if s >= start and e <= end]
    prefix = "… " if start > 0 else ""
    suffix = " …" if cut_end < len(text) else ""
    return mark_safe(f"{prefix}{_render(text[start:end], inside)}{suffix}")  # noqa: S308
