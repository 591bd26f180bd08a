"""The output contract ``cnie/1``: typed records every stage produces and every consumer reads.

Takes nothing; defines :class:`Indicator`, :class:`Entity`, :class:`Record` (one per
article) and their JSON form. Offsets are Python ``str`` indices (code points) into the
ORIGINAL article text, end-exclusive: ``text[start:end] == item.text`` always holds.
The JSON Schema in ``pipeline/schema/cnie-1.schema.json`` describes the same shape and is
checked in the tests. Field order in JSON is the dataclass field order (deterministic).
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field, fields
from decimal import Decimal
from typing import Any, Literal, Optional

import orjson

SCHEMA = "cnie/1"

IndicatorType = Literal["count", "percentage", "ranking", "money"]
Qualifier = Literal["exact", "approx", "at_least", "at_most", "range"]
Change = Literal["increase", "decrease", "flat"]


@dataclass
class Span:
    start: int
    end: int


@dataclass
class Indicator:
    """One quantitative statement.

    ``value`` is a number: counts in units of ``unit`` (4.56万人次 → 45600), percentages in
    percent (98.01; ``unit`` ``%``) or in percentage points (``unit`` ``percentage_point``),
    money in units of the currency named by ``unit`` (288.5万元 → 2885000, ``元``), rankings
    as the rank integer. ``low``/``high`` bound approximations and ranges; ``qualifier``
    says how exact the value is. ``change`` is the direction of a movement and
    ``change_mode`` whether the figure is the amount moved (``by``: 下降0.1个百分点) or the
    level reached (``to``: 下降到5.1%).
    """

    type: str
    text: str
    start: int
    end: int
    value: Optional[float | int]
    unit: Optional[str] = None
    approx: bool = False
    qualifier: str = "exact"
    low: Optional[float | int] = None
    high: Optional[float | int] = None
    subject: Optional[str] = None
    subject_head: Optional[str] = None
    time: Optional[str] = None
    period: Optional[str] = None
    scope: Optional[str] = None
    change: Optional[str] = None
    change_mode: Optional[str] = None
    basis: Optional[str] = None
    basis_text: Optional[str] = None
    direction: Optional[str] = None
    org: Optional[str] = None
    sentence: Optional[Span] = None

    def to_dict(self) -> dict[str, Any]:
        return _flat(self, _INDICATOR_FIELDS)


@dataclass
class Entity:
    """A named thing in the text: ``label`` ORG, LOC or PER."""

    label: str
    text: str
    start: int
    end: int
    normalized: Optional[str] = None
    generic: bool = False

    def to_dict(self) -> dict[str, Any]:
        return _flat(self, _ENTITY_FIELDS)


@dataclass
class Meta:
    title: Optional[str] = None
    outlet: Optional[str] = None
    published: Optional[str] = None
    byline: Optional[str] = None
    editor_note: Optional[Span] = None
    captions: list[Span] = field(default_factory=list)


@dataclass
class Source:
    path: Optional[str] = None
    record: Optional[int] = None
    encoding: Optional[str] = None
    url: Optional[str] = None


@dataclass
class Record:
    """Everything cnie says about one article (one JSONL line)."""

    doc_id: str
    source: Source
    meta: Meta
    text_sha256: str
    indicators: list[Indicator] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    schema: str = SCHEMA

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": self.schema, "doc_id": self.doc_id,
            "source": _clean(asdict(self.source)), "meta": _clean(asdict(self.meta)),
            "text_sha256": self.text_sha256,
            "indicators": [i.to_dict() for i in self.indicators],
            "entities": [e.to_dict() for e in self.entities],
            "warnings": list(self.warnings),
        }

    def to_json(self) -> str:
        return dumps(self.to_dict())


def _flat(obj: Any, names: tuple[str, ...]) -> dict[str, Any]:
    """A flat dataclass as a dict, fast (``asdict`` deep-copies); spans and Decimals converted."""
    out = {}
    for name in names:
        v = getattr(obj, name)
        if isinstance(v, Span):
            v = {"start": v.start, "end": v.end}
        elif isinstance(v, Decimal):
            v = number(v)
        out[name] = v
    return out


def _clean(obj: Any) -> Any:
    """Decimal → int/float so JSON holds plain numbers (never exponent notation)."""
    if isinstance(obj, dict):
        return {k: _clean(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_clean(v) for v in obj]
    if isinstance(obj, Decimal):
        return number(obj)
    return obj


def number(d: Decimal | int | float | None) -> int | float | None:
    """A Decimal as the plainest JSON number: an int when integral, else a float."""
    if d is None:
        return None
    if isinstance(d, (int, float)) and not isinstance(d, bool):
        d = Decimal(str(d))
    if d == d.to_integral_value():
        return int(d)
    return float(d)


def text_sha256(text: str) -> str:
    """``Record.text_sha256``: hex sha256 of the text's UTF-8 bytes (lone surrogates kept)."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def dumps(obj: Any) -> str:
    """Deterministic compact JSON (UTF-8 characters kept, key order as built).

    orjson writes it (7x faster than :mod:`json`, same bytes on our records); what orjson
    refuses — an integer beyond 64 bits, a lone surrogate from arbitrary input — goes through
    :mod:`json` with the same separators, so the same object always gives the same bytes."""
    try:
        return orjson.dumps(obj).decode("utf-8")
    except (TypeError, ValueError):  # orjson.JSONEncodeError is a TypeError
        return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


_INDICATOR_FIELDS = tuple(f.name for f in fields(Indicator))
_ENTITY_FIELDS = tuple(f.name for f in fields(Entity))


def indicator_from_dict(d: dict[str, Any]) -> Indicator:
    names = {f.name for f in fields(Indicator)}
    kw = {k: v for k, v in d.items() if k in names}
    if isinstance(kw.get("sentence"), dict):
        kw["sentence"] = Span(**kw["sentence"])
    return Indicator(**kw)


def entity_from_dict(d: dict[str, Any]) -> Entity:
    names = {f.name for f in fields(Entity)}
    return Entity(**{k: v for k, v in d.items() if k in names})
