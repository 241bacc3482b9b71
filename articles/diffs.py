"""Word by word differences between two versions of an article's text, for the history."""

import difflib
import re

from django.utils.html import escape
from django.utils.safestring import mark_safe

# A word with the spaces after it (and any spaces that open the text), so the gaps between
# changed words do not split one change into many.
_TOKENS = re.compile(r"^\s+|\S+\s*")


def word_diff(old, new):
    """HTML of `new` with removed words in <del> and added ones in <ins>, everything escaped.

    Words, not characters: "at the same time" -> "whenever" reads as one change instead of
    scattered letters."""
    before, after = _TOKENS.findall(old or ""), _TOKENS.findall(new or "")
    parts = []
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            parts.append(escape("".join(before[a1:a2])))
            continue
        if a2 > a1:
            parts.append(f"<del>{escape(''.join(before[a1:a2]))}</del>")
        if b2 > b1:
            parts.append(f"<ins>{escape(''.join(after[b1:b2]))}</ins>")
    return mark_safe(f'<pre class="highlight">{"".join(parts)}</pre>')  # noqa: S308 - escaped
