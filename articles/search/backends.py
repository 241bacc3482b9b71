"""What differs between the databases: finding entries by stem and spelling candidates.

Both backends get finished stems (articles/search/text.py) and return the same rows for
the same content: the matching is exact on stems, and the candidates are capped in one
order that both databases compute alike (the most recently added first). Visitor text
never reaches SQL as syntax: only letters and digits, and only as parameters.
"""

from django.db import connection

from articles.models import SearchEntry, SearchWord

ENTRY = SearchEntry._meta.db_table
WORD = SearchWord._meta.db_table
ROW = "e.id, e.kind, e.title_stems, e.lead_stems, e.stems, e.live_from"
# At most this many matches are ranked, those matching in a title or lead line first:
# ranking every entry of a word found everywhere would slow search down as the site grows.
CANDIDATES = 300
# Spelling: the nearest words PostgreSQL's trigram index offers for each unknown word.
TRIGRAM_NEIGHBOURS = 40


class Backend:
    def candidates(self, alternatives, now):
        """Entries matching any alternative (each a tuple of stems that must all be present):
        the CANDIDATES most recently added matching in a title or lead line, then those
        matching anywhere; and whether more matched than were returned."""
        # One round trip: the two capped lists, head matches first.
        sql = f"SELECT * FROM ({self.sql(True)}) h UNION ALL SELECT * FROM ({self.sql(False)}) a"  # noqa: S608
        params = [self.match(alternatives, True), now, CANDIDATES]
        params += [self.match(alternatives, False), now, CANDIDATES]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            fetched = cursor.fetchall()
        rows, seen = [], set()
        for row in fetched:
            if row[0] not in seen:
                seen.add(row[0])
                rows.append(row)
        # Either list full: there are more matches than were ranked.
        return rows, len(fetched) - len(rows) >= CANDIDATES or len(rows) >= CANDIDATES


class PostgresBackend(Backend):
    """GIN indexes over two stored tsvectors of the stems (migration 0006; 'simple'
    configuration: no stemming or stop words of its own, the stems are already made),
    and pg_trgm's GiST index for spelling neighbours."""

    def sql(self, head):
        vector = "e.head_tsv" if head else "e.stems_tsv"
        return (
            f"SELECT {ROW} FROM {ENTRY} e WHERE {vector} @@ to_tsquery('simple', %s) "  # noqa: S608
            "AND e.live_from <= %s ORDER BY e.id DESC LIMIT %s"
        )

    @staticmethod
    def match(alternatives, head):
        return " | ".join("(" + " & ".join(alt) + ")" for alt in alternatives)

    def spelling_candidates(self, unknown):
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT t.term, w.word, w.stem, w.entries FROM unnest(%s::text[]) AS t(term) "  # noqa: S608
                f"CROSS JOIN LATERAL (SELECT word, stem, entries FROM {WORD} "
                "ORDER BY word <-> t.term LIMIT %s) w",
                [list(unknown), TRIGRAM_NEIGHBOURS],
            )
            found = {}
            for term, word, word_stem, entries in cursor.fetchall():
                found.setdefault(term, []).append((word, word_stem, entries))
        return found


class SQLiteBackend(Backend):
    """An FTS5 index over the stem columns (kept by triggers, migration 0006), tokenised by
    unicode61 alone: no stemming of its own. Walking it by rowid, newest first, stops after
    CANDIDATES matches. Spelling candidates: every word of a near length (the vocabulary
    is the site's own words, a few thousand)."""

    FTS = "articles_searchentry_fts"

    def sql(self, head):
        return (
            f"SELECT {ROW} FROM {self.FTS} JOIN {ENTRY} e ON e.id = {self.FTS}.rowid "  # noqa: S608
            f"WHERE {self.FTS} MATCH %s AND e.live_from <= %s "
            f"ORDER BY {self.FTS}.rowid DESC LIMIT %s"
        )

    @staticmethod
    def match(alternatives, head):
        expr = " OR ".join("(" + " AND ".join(f'"{s}"' for s in alt) + ")" for alt in alternatives)
        return f"{{title_stems lead_stems}} : ({expr})" if head else expr

    def spelling_candidates(self, unknown):
        shortest = min(len(t) for t in unknown) - 2
        longest = max(len(t) for t in unknown) + 2
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT word, stem, entries FROM {WORD} WHERE length BETWEEN %s AND %s",  # noqa: S608
                [shortest, longest],
            )
            pool = cursor.fetchall()
        return {term: pool for term in unknown}


def backend():
    return PostgresBackend() if connection.vendor == "postgresql" else SQLiteBackend()
