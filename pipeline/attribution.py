"""Which organisation a figure belongs to: the actor or owner the clause names.

Takes the article text, the sentence span holding a figure, the figure's start offset and the
article's entities (from :func:`pipeline.orgs.find_entities`); returns the ORG's surface text
or ``None``. Rules, in order:

1. the subject of the figure's clause or, failing that, of the nearest earlier clause of the
   same sentence: an ORG that opens a clause before the figure, with at most a short lead-in
   (``rules/orgs/attribution_leads.tsv``: 由, 据, 经 …, or a date) before it
   (全市法院通过…引入…，2019年共成功调解案件7818件 → 全市法院);
2. otherwise the nearest ORG of the figure's own clause before the figure, unless the figure
   directly counts it (引入29家律师事务所: the firms are counted, they do not count), or the
   ORG closes a list that the figure counts (``rules/orgs/list_markers.tsv``: 市金消协、各大商会等74家),
   or a preposition makes it a partner (``rules/orgs/object_markers.tsv``: 对欧盟进出口…);
3. otherwise ``None`` (no guess from other sentences).

Clause breaks are the characters in ``rules/orgs/clause_breaks.tsv``.
"""
from __future__ import annotations

import functools

from .contract import Entity
from .rules import load_table

__all__ = ["attribute_org"]

MAX_LEAD = 8   # characters allowed between a clause start and its subject ORG


@functools.lru_cache(maxsize=1)
def _tables() -> tuple[frozenset[str], tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    breaks = frozenset(load_table("orgs/clause_breaks.tsv", 1, 2).column(0))
    leads = tuple(sorted(load_table("orgs/attribution_leads.tsv", 1, 2).column(0), key=len, reverse=True))
    markers = tuple(load_table("orgs/list_markers.tsv", 1, 2).column(0))
    objects = tuple(load_table("orgs/object_markers.tsv", 1, 2).column(0))
    return breaks, leads, markers, objects


@functools.lru_cache(maxsize=1)
def _date_chars() -> frozenset[str]:
    return frozenset(load_table("orgs/date_chars.tsv", 1, 2).column(0))


def _clause_start(text: str, lo: int, pos: int, breaks: frozenset[str]) -> int:
    i = pos
    while i > lo and text[i - 1] not in breaks:
        i -= 1
    return i


def _lead_ok(lead: str, leads: tuple[str, ...]) -> bool:
    """The text between a clause start and an ORG is empty, a lead-in word or a time/number."""
    lead = lead.strip()
    if not lead:
        return True
    if len(lead) > MAX_LEAD:
        return False
    for w in leads:
        if lead.endswith(w):
            rest = lead[: -len(w)]
            return not rest or all(c.isdigit() or c in _date_chars() for c in rest)
    return all(c.isdigit() or c in _date_chars() for c in lead)


def attribute_org(text: str, sentence_start: int, sentence_end: int, figure_start: int,
                  entities: list[Entity]) -> str | None:
    """The organisation named as actor/owner of the figure at ``figure_start``, or ``None``."""
    try:
        return _attribute(text, sentence_start, sentence_end, figure_start, entities)
    except Exception:  # attribution is best effort
        return None


def _attribute(text: str, s0: int, s1: int, fig: int, entities: list[Entity]) -> str | None:
    breaks, leads, markers, objects = _tables()
    if not (0 <= s0 <= fig <= s1 <= len(text)):
        return None
    orgs = sorted((e for e in entities if e.label == "ORG" and s0 <= e.start and e.end <= fig),
                  key=lambda e: (e.start, e.end))
    if not orgs:
        return None
    clause = _clause_start(text, s0, fig, breaks)
    subjects = [e for e in orgs
                if _lead_ok(text[_clause_start(text, s0, e.start, breaks):e.start], leads)]
    if subjects:
        return subjects[-1].text  # the figure's clause's own subject, else the nearest before it
    for e in reversed(orgs):
        if e.start < clause:
            break
        between = text[e.end:fig].strip()
        if text[max(clause, e.start - 2):e.start].endswith(objects):
            continue  # 对欧盟进出口…: a partner, not the owner
        if between and not between.endswith(markers):
            return e.text  # an ORG of the figure's clause (not "29家 + org", which is counted)
    return None
