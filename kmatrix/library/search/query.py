"""What people type into the search box, read into terms we control.

Nothing typed reaches either engine as query syntax. The text is read into words (letters and
digits only), "quoted phrases", ``prefix*`` words, ``-excluded`` words and ``OR`` between two
terms; everything else (stray quotes, brackets, colons, NEAR, carets, emoji) is only a word
separator. The engines get a query we write from those words: FTS5 syntax for SQLite and a
``to_tsquery`` string for PostgreSQL, with every word quoted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

MAX_QUERY_CHARS = 256
MAX_TERMS = 16
MIN_PREFIX = 2
_WORD = re.compile(r"[^\W_]+")
# A token: a quoted phrase (closed or running to the end), or a run of anything but spaces.
_TOKEN = re.compile(r'"([^"]*)"?|([^\s"():^{}\[\]+~<>|&!,;=]+)')


@dataclass(frozen=True)
class Term:
    words: tuple[str, ...]
    prefix: bool = False  # the last word is a prefix

    @property
    def is_phrase(self) -> bool:
        return len(self.words) > 1


@dataclass
class Query:
    """All of ``groups`` must match (each group: any of its terms), and none of ``excluded``."""

    groups: list[list[Term]] = field(default_factory=list)
    excluded: list[Term] = field(default_factory=list)
    text: str = ""

    @property
    def is_empty(self) -> bool:
        return not self.groups

    def words(self) -> list[str]:
        return [w for group in self.groups for term in group for w in term.words]


def parse(text: str) -> Query:
    text = (text or "").replace("\x00", " ")[:MAX_QUERY_CHARS]
    query = Query(text=text.strip())
    join_next = False
    count = 0
    for match in _TOKEN.finditer(text):
        phrase, bare = match.group(1), match.group(2)
        if bare is not None and bare == "OR":
            join_next = bool(query.groups)
            continue
        negated = bare is not None and bare.startswith("-") and len(bare) > 1
        term = _term(phrase if phrase is not None else bare.lstrip("-"), phrase is not None)
        if term is None or count >= MAX_TERMS:
            continue
        count += 1
        if negated:
            query.excluded.append(term)
        elif join_next:
            query.groups[-1].append(term)
        else:
            query.groups.append([term])
        join_next = False
    return query


def _term(raw: str, quoted: bool) -> Term | None:
    words = tuple(w.lower() for w in _WORD.findall(raw))
    if not words:
        return None
    prefix = not quoted and raw.rstrip().endswith("*") and len(words[-1]) >= MIN_PREFIX
    # Unquoted "care-home" or "a.b" has several words: they are read as a phrase.
    return Term(words, prefix=prefix)


# --- SQLite FTS5 ---------------------------------------------------------------------------


def _fts_term(term: Term) -> str:
    quoted = '"' + " ".join(term.words) + '"'
    return quoted + " *" if term.prefix else quoted


def to_fts5(query: Query) -> str:
    groups = ["(" + " OR ".join(_fts_term(t) for t in group) + ")" for group in query.groups]
    text = " AND ".join(groups)
    for term in query.excluded:
        text += " NOT " + _fts_term(term)
    return text


# --- PostgreSQL tsquery --------------------------------------------------------------------


def _ts_term(term: Term) -> str:
    parts = [f"'{w}'" for w in term.words]
    if term.prefix:
        parts[-1] += ":*"
    joined = " <-> ".join(parts)
    return f"({joined})" if term.is_phrase else joined


def to_tsquery(query: Query) -> str:
    groups = ["(" + " | ".join(_ts_term(t) for t in group) + ")" for group in query.groups]
    groups += [f"!{_ts_term(t)}" for t in query.excluded]
    return " & ".join(groups)
