"""Gazetteer of Chinese administrative divisions, read from the ``cpca`` package's data.

Takes nothing (data is loaded lazily, once); returns :class:`Place` records for provinces,
prefecture-level cities and counties/districts from cpca's ``resources/adcodes.csv`` (MIT
licence, national adcode table), with short forms derived by stripping the suffixes in
``rules/orgs/admin_suffixes.tsv`` (东莞市 → 东莞) and the nationality names of cpca's
``56_nations.csv`` (乳源瑶族自治县 → 乳源). Names listed in
``rules/orgs/admin_exclude.tsv`` are skipped. :func:`lookup` maps a full or short name to
its places; :func:`parent` climbs the adcode hierarchy (东莞市 → 广东省).

cpca itself is never imported (its import builds a matcher); only its CSV is read.
"""
from __future__ import annotations

import csv
import functools
import importlib.util
from dataclasses import dataclass
from pathlib import Path

from .rules import RuleError, load_table

__all__ = ["Place", "places", "lookup", "parent", "by_code", "names", "countries"]

LEVELS = ("province", "city", "county")


@dataclass(frozen=True)
class Place:
    code: str        # 12-digit adcode
    name: str        # full name: 东莞市
    short: str       # short form: 东莞 (== name when nothing could be stripped)
    level: str       # province | city | county


def _adcodes_path() -> Path:
    spec = importlib.util.find_spec("cpca")
    if spec is None or not spec.submodule_search_locations:
        raise RuleError("cpca/resources/adcodes.csv", None,
                        "package cpca is not installed (pip install cpca)")
    return Path(list(spec.submodule_search_locations)[0]) / "resources" / "adcodes.csv"


def _level(code: str) -> str:
    if code[2:] == "0" * 10:
        return "province"
    if code[4:] == "0" * 8:
        return "city"
    return "county"


def _short(name: str, suffixes: list[str], nations: tuple[str, ...] = ()) -> str:
    for suf in suffixes:
        if name.endswith(suf) and len(name) - len(suf) >= 2:
            short = name[: -len(suf)]
            # 乳源瑶族自治县 → 乳源, 黔东南苗族侗族自治州 → 黔东南 (nationality names from cpca)
            stripped = True
            while stripped:
                stripped = False
                for nat in nations:
                    if short.endswith(nat) and len(short) - len(nat) >= 2:
                        short, stripped = short[: -len(nat)], True
                        break
            return short
    return name


def _nations(path: Path) -> tuple[str, ...]:
    """The 56 nationality names (汉族, 瑶族 …) shipped with cpca, longest first."""
    f = path.parent / "56_nations.csv"
    if not f.is_file():
        return ()
    names = [ln.strip() for ln in f.read_text(encoding="utf-8").splitlines() if ln.strip()]
    suffix = tuple(load_table("orgs/nation_suffix.tsv").column(0))
    return tuple(sorted({n for n in names if n.endswith(suffix)}, key=lambda n: (-len(n), n)))


@functools.lru_cache(maxsize=1)
def places() -> tuple[Place, ...]:
    """All places, in adcode order (deterministic)."""
    suffixes = sorted(load_table("orgs/admin_suffixes.tsv", 1, 2).column(0), key=lambda s: (-len(s), s))
    exclude = set(load_table("orgs/admin_exclude.tsv", 1, 2).column(0))
    path = _adcodes_path()
    nations = _nations(path)
    out = []
    with open(path, encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            code, name = (row.get("adcode") or "").strip(), (row.get("name") or "").strip()
            if len(code) != 12 or not code.isdigit() or not name or name in exclude:
                continue
            out.append(Place(code, name, _short(name, suffixes, nations), _level(code)))
    out.sort(key=lambda p: p.code)
    return tuple(out)


@functools.lru_cache(maxsize=1)
def _index() -> tuple[dict[str, tuple[Place, ...]], dict[str, Place]]:
    exclude = set(load_table("orgs/admin_exclude.tsv", 1, 2).column(0))
    idx: dict[str, list[Place]] = {}
    codes: dict[str, Place] = {}
    for p in places():
        codes[p.code] = p
        idx.setdefault(p.name, []).append(p)
        if p.short != p.name and p.short not in exclude:
            idx.setdefault(p.short, []).append(p)
    return {k: tuple(v) for k, v in idx.items()}, codes


def names() -> dict[str, tuple[Place, ...]]:
    """Every full and short name → the places it may denote."""
    return _index()[0]


def lookup(name: str) -> tuple[Place, ...]:
    """Places a (full or short) name may denote; empty if unknown."""
    return _index()[0].get(name, ())


def by_code(code: str) -> Place | None:
    return _index()[1].get(code)


def parent(place: Place, level: str) -> Place | None:
    """The place's ancestor (or itself) at ``level`` (province | city | county)."""
    if level == place.level:
        return place
    if LEVELS.index(level) > LEVELS.index(place.level):
        return None
    code = place.code[:2] + "0" * 10 if level == "province" else place.code[:4] + "0" * 8
    return by_code(code)


@functools.lru_cache(maxsize=1)
def countries() -> tuple[str, ...]:
    """Chinese (zh_CN) names of the ISO 3166-1 countries, from pycountry's translations.

    Both the official and the common name are given where they differ (美国, 台湾 …).
    """
    import gettext

    import pycountry

    try:
        tr = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["zh_CN"])
    except OSError:
        raise RuleError("pycountry/locales/zh_CN", None, "pycountry has no zh_CN country names") from None
    out = set()
    for c in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            en = getattr(c, attr, None)
            if en:
                zh = tr.gettext(en)
                if zh != en and zh.strip():
                    out.add(zh.strip())
    return tuple(sorted(out))
