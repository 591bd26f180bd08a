"""The extraction pipeline for one article: text → :class:`pipeline.contract.Record`.

Takes the article text (and optionally its id, source and metadata); runs the stages
header → normalise → segment → numbers → indicators → entities → link, and returns the
record the CLI writes. Never raises on a ``str``: a stage that fails adds a warning
(``stage: ErrorType: message``) and the record keeps what the other stages found. A broken
rule file is not the text's fault: its :class:`pipeline.rules.RuleError` propagates.
"""
from __future__ import annotations

from dataclasses import fields, replace

from .contract import Meta, Record, Source, text_sha256
from .header import normalise_date, parse_header
from .indicators import DocContext, extract_all
from .link import link
from .normalise import normalise
from .rules import RuleError
from .segment import sentences

MAX_CHARS = 2_000_000  # longer texts are cut here (with a warning) to bound time and memory


def _merge(parsed: Meta, given: Meta | None) -> Meta:
    if given is None:
        return parsed
    for f in fields(Meta):
        v = getattr(given, f.name)
        if v not in (None, [], ""):
            setattr(parsed, f.name, v)
    return parsed


def extract_record(text: str, *, doc_id: str = "-", source: Source | None = None,
                   meta: Meta | None = None, ner_model=None) -> Record:
    """Run the whole pipeline on ``text``. ``meta`` fields that are set override the header."""
    if not isinstance(text, str):
        raise TypeError(f"extract_record() needs a str, got {type(text).__name__}")
    warnings: list[str] = []
    digest = text_sha256(text)
    work = text
    if len(work) > MAX_CHARS:
        warnings.append(f"read: text has {len(text)} characters; only the first {MAX_CHARS} were analysed")
        work = text[:MAX_CHARS]

    def stage(name, fn, default):
        try:
            return fn()
        except RuleError:  # a broken rule file is a set-up error: fail loudly, at once
            raise
        except Exception as e:  # noqa: BLE001 — the contract is: never raise on text
            warnings.append(f"{name}: {type(e).__name__}: {e}")
            return default

    parsed = stage("header", lambda: parse_header(work), Meta())
    if meta is not None and meta.published is not None:  # a date field: 2021/09/17 → ISO 8601
        given = meta.published
        meta = replace(meta, published=normalise_date(given))  # never change the caller's object
        if meta.published is None:
            warnings.append(f"meta: publication date {str(given)[:40]!r} not understood; ignored")
    meta = _merge(parsed, meta)
    norm = normalise(work)
    sents = stage("segment", lambda: sentences(work), [])
    numbers = stage("numbers", lambda: _find_numbers(norm.text), [])
    ctx = DocContext.build(norm, numbers, sents, published=meta.published)
    indicators = stage("indicators", lambda: extract_all(ctx), [])
    entities = stage("entities", lambda: _find_entities(work, meta, ner_model, norm.text), [])
    stage("link", lambda: link(ctx, indicators, entities), None)
    return Record(
        doc_id=doc_id, source=source or Source(), meta=meta, text_sha256=digest,
        indicators=indicators, entities=entities, warnings=warnings,
    )


def _find_numbers(norm_text: str):
    from .numbers import find_numbers

    return find_numbers(norm_text)


def _find_entities(text: str, meta: Meta, ner_model, folded: str):
    try:
        from . import orgs
    except ImportError:
        return []
    locality = orgs.infer_locality(text, title=meta.title, outlet=meta.outlet, folded=folded)
    if ner_model is not None:
        return orgs.find_entities(text, locality=locality, model=ner_model, folded=folded)
    return orgs.find_entities(text, locality=locality, folded=folded)
