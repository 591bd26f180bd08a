"""Organisations, places and persons in article text (rules first, optional trained model).

Takes article text (and optionally the article's locality and a trained spaCy NER model);
returns :class:`~pipeline.contract.Entity` items (ORG / LOC / PER) sorted by ``(start, end)``,
offsets into the ORIGINAL text. Never raises on a ``str``.

How ORG is found (all word lists are data in ``rules/orgs/``):

1. One Aho–Corasick pass over the folded text finds *anchors*: organisation heads
   (``heads.tsv``: 委员会, 法院, 日报, 局 …), level + body prefixes (``levels.tsv`` ×
   ``bodies.tsv``: 市委, 市人大常委会 …), named bodies (``named.tsv``), jieba dictionary words
   tagged ``nt`` (and ``j``/``nz`` words ending in a head), generic mentions (``generic.tsv``),
   places (cpca gazetteer, :mod:`pipeline.gazetteer`, plus jieba ``ns`` words) and person cues.
2. Each anchor is extended LEFT over a short window segmented by backward maximum matching on
   jieba's own dictionary, with jieba's dictionary POS tags: place names, level words, proper
   and common nouns are taken in; verbs, prepositions, numbers, ``left_stops.tsv`` words stop
   it. A generic prefix (``generic_prefixes.tsv``: 全市, 各级 …) is taken in and marks the
   mention ``generic``. No POS tagger runs over the article (throughput).
3. Overlaps are resolved longest-first; LOC/PER inside an ORG are dropped.
4. ``normalized`` expands the level word and short place names with the article's locality
   (市委政法委 → 东莞市委政法委员会) and the tail abbreviations of ``abbreviations.tsv``.

The spaCy component ``cnie_orgs`` (import this module, then ``nlp.add_pipe("cnie_orgs")``)
puts the same entities on ``doc.ents`` with ``span._.normalized`` and ``span._.generic``.

Modules (this one holds the public entry points, model combination and the spaCy component,
and re-exports the rest): :mod:`pipeline.orgs_lexicon` (tables, dictionary, prefix matcher),
:mod:`pipeline.orgs_words` (word-level helpers), :mod:`pipeline.orgs_org` (ORG candidates),
:mod:`pipeline.orgs_locper` (LOC/PER candidates), :mod:`pipeline.orgs_select` (selection and
normalisation), :mod:`pipeline.orgs_locality` (the article's locality).
"""
from __future__ import annotations

import logging
from typing import Any

from . import gazetteer  # noqa: F401  (re-exported)
from .contract import Entity
from .normalise import normalise
from .orgs_lexicon import (AFTER, BODY, COMMON_TAGS, CUE, GENERIC, HEAD, NAMED, NS, NT,  # noqa: F401
                           ORG_KINDS, PLACE, VERSUS, _is_cjk, _is_name_char, _Lex, _lex, _lock,
                           _MISSING, _PrefixMatcher, lx_tag_common)
from .orgs_locality import _locality_from_hits, _places_in, infer_locality  # noqa: F401
from .orgs_locper import _common_word, _loc_candidates, _name_length, _per_candidates  # noqa: F401
from .orgs_org import (GENERIC_TAKES, HEAD_TAKES, MAX_TOKENS, PLACE_TAKES, TEAM_MAX,  # noqa: F401
                       _bridge, _extend_left, _org_candidates, _team_word, _verbs_have_objects,
                       _versus_candidates)
from .orgs_select import _Cand, _place_for, _select, normalize_org  # noqa: F401
from .orgs_words import (MAX_WORD, NAME_TAGS, PROPER_TAGS, SYLLABLE_TAGS, WINDOW,  # noqa: F401
                         _bmm_iter, _first_word, _glued, _last_word, _route, _window_start,
                         _word_class)

__all__ = ["find_entities", "infer_locality", "load_ner_model", "model_entities",
           "combine", "normalize_org", "register_extensions"]

log = logging.getLogger(__name__)


# ---------------------------------------------------------------- public entry point

def find_entities(text: str, *, locality: str | None = None, model: Any = None,
                  rules_win: tuple[str, ...] = (), folded: str | None = None) -> list[Entity]:
    """ORG / LOC / PER entities of ``text``, sorted by (start, end); never raises.

    ``locality``: the article's home place (e.g. 东莞市) used to normalise 市委 → 东莞市委;
    ``None`` infers it from the text, ``""`` disables expansion. ``model``: a spaCy pipeline
    from :func:`load_ner_model`; its entities are combined with the rules (:func:`combine`;
    ``rules_win`` names the labels on which the rules win overlaps). ``folded``:
    ``normalise(text).text`` when the caller has it already (saves a pass).
    """
    if not isinstance(text, str) or not text:
        return []
    _lex()  # a bad rule file raises RuleError here (at load, with file and line), not below
    try:
        ents = _rule_entities(text, locality, folded)
    except Exception:
        log.exception("entity rules failed; returning no entities")
        ents = []
    if model is not None:
        try:
            ents = combine(ents, model_entities(model, text), rules_win)
        except Exception:
            log.exception("NER model failed; keeping rule entities")
    return ents


def _rule_entities(text: str, locality: str | None, folded: str | None = None) -> list[Entity]:
    lx = _lex()
    if folded is None or len(folded) != len(text):
        folded = normalise(text).text
    hits = lx.auto.hits(folded)
    memo: dict = {}
    cands = _org_candidates(folded, hits, lx, memo)
    cands += _versus_candidates(folded, hits, lx)
    covered = bytearray(len(folded))
    for c in cands:
        covered[c.start:c.end] = b"\1" * (c.end - c.start)
    cands += _loc_candidates(folded, hits, lx, covered, memo)
    cands += _per_candidates(folded, hits, lx)
    chosen = _select(cands)
    if locality is None:
        locality = _locality_from_hits(hits, title=False)
    out = []
    for c in chosen:
        surface = text[c.start:c.end]
        norm = None
        if c.label == "ORG":
            if c.generic:
                norm = surface
            else:
                norm = c.normalized or normalize_org(folded[c.start:c.end], locality or None, c.lead)
        elif c.label == "LOC":
            pl = _place_for(folded[c.start:c.end])
            norm = pl.name if pl else surface
        else:
            norm = surface
        out.append(Entity(c.label, surface, c.start, c.end, norm, c.generic))
    return out


# ---------------------------------------------------------------- statistical backend hook

def load_ner_model(path: str):
    """Load a spaCy NER pipeline trained by ``cnie train-ner`` (jieba tokenizer re-attached)."""
    import spacy

    from .segment import JiebaSpacyTokenizer

    nlp = spacy.load(path, exclude=["tokenizer"])
    nlp.tokenizer = JiebaSpacyTokenizer(nlp.vocab)
    return nlp


def model_entities(model: Any, text: str) -> list[Entity]:
    """Entities a trained spaCy model finds (labels other than ORG/LOC/PER are dropped)."""
    doc = model(text)
    out = []
    for sp in doc.ents:
        if sp.label_ in ("ORG", "LOC", "PER") and sp.text.strip():
            out.append(Entity(sp.label_, sp.text, sp.start_char, sp.end_char, sp.text, False))
    return out


def combine(rule_ents: list[Entity], model_ents: list[Entity],
            rules_win: tuple[str, ...] = ()) -> list[Entity]:
    """Union of rule and model entities, no overlaps.

    A model entity with exactly the span and label of a rule entity is the rule entity (which
    carries ``normalized`` and ``generic``). Otherwise, on overlap the rule entity wins for
    labels in ``rules_win``, the model's elsewhere (by default everywhere: on CLUENER dev the
    model knows brand and club names no rule does); rule entities fill the gaps.
    """
    rule_by_span = {(e.label, e.start, e.end): e for e in rule_ents}
    model_ents = [rule_by_span.get((e.label, e.start, e.end), e) for e in model_ents]
    chosen: list[Entity] = []
    used = bytearray(max([e.end for e in rule_ents + model_ents], default=0))

    def take(e: Entity) -> None:
        if e.end > e.start and not any(used[e.start:e.end]):
            chosen.append(e)
            used[e.start:e.end] = b"\1" * (e.end - e.start)

    for e in (x for x in rule_ents if x.label in rules_win):
        take(e)
    for e in sorted(model_ents, key=lambda e: (e.start, e.end)):
        take(e)
    for e in (x for x in rule_ents if x.label not in rules_win):
        take(e)
    chosen.sort(key=lambda e: (e.start, e.end, e.label))
    return chosen


# ---------------------------------------------------------------- spaCy component

def register_extensions() -> None:
    """The Span/Doc extensions cnie_orgs sets (safe to call again)."""
    from spacy.tokens import Doc, Span

    if not Span.has_extension("normalized"):
        Span.set_extension("normalized", default=None)
    if not Span.has_extension("generic"):
        Span.set_extension("generic", default=False)
    if not Doc.has_extension("cnie_orgs_misaligned"):
        Doc.set_extension("cnie_orgs_misaligned", default=0)


class OrgsComponent:
    """spaCy component: ``doc.ents`` ← :func:`find_entities` (spans expanded to jieba tokens)."""

    def __init__(self, nlp, name: str, locality: str | None):
        register_extensions()
        self.name = name
        self.locality = locality

    def __call__(self, doc):
        from spacy.util import filter_spans

        ents = find_entities(doc.text, locality=self.locality)
        spans, misaligned = [], 0
        for e in ents:
            sp = doc.char_span(e.start, e.end, label=e.label)
            if sp is None:
                misaligned += 1
                sp = doc.char_span(e.start, e.end, label=e.label, alignment_mode="expand")
            if sp is None:
                continue
            spans.append((sp, e))
        kept = filter_spans([sp for sp, _ in spans])
        keep_ids = {(sp.start, sp.end) for sp in kept}
        for sp, e in spans:
            if (sp.start, sp.end) in keep_ids:
                sp._.normalized = e.normalized
                sp._.generic = e.generic
        doc.ents = kept
        doc._.cnie_orgs_misaligned = misaligned
        return doc


def make_cnie_orgs(nlp, name: str, locality: str | None = None) -> OrgsComponent:
    """The ``cnie_orgs`` factory (also usable as a ``spacy_factories`` entry point)."""
    return OrgsComponent(nlp, name, locality)


def _register_factory() -> None:
    from spacy.language import Language

    if not Language.has_factory("cnie_orgs"):
        Language.factory("cnie_orgs", default_config={"locality": None}, func=make_cnie_orgs)


try:  # registering a factory is a dictionary entry, not a data load
    _register_factory()
except ImportError:  # pragma: no cover - spaCy is a hard dependency
    pass


def predict(text: str, model: Any = None, model_only: bool = False, rules_win: tuple[str, ...] = ()) -> list[Entity]:
    """Entities as the benchmarks score them: rules (no locality expansion), the model alone, or
    both combined with the rules winning on ``rules_win`` labels."""
    if model is None:
        return find_entities(text, locality="")
    if model_only:
        return model_entities(model, text)
    return combine(find_entities(text, locality=""), model_entities(model, text), rules_win)
