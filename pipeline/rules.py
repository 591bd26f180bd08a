r"""Rule-file loading: plain-text lexicons and named regex patterns from ``rules/``.

Takes file names relative to the rules directory; returns parsed tables and compiled
patterns. Every problem in a rule file raises :class:`RuleError` naming the file, the line
and the reason, at load time (never at first match).

Two formats, both line-based so errors can point at a line:

* **Tables** (``*.tsv``): one entry per line, fields separated by TAB; ``#`` starts a
  comment line; blank lines are ignored.
* **Pattern files** (``*.patterns``): ``NAME = regex`` per line. A regex may reference
  another fragment as ``{NAME}`` (defined earlier in the same file, or in a file listed
  with ``@include other.patterns``) and a lexicon as ``{@table.tsv}`` (column 0, longest
  entries first, escaped) or ``{@table.tsv:2}`` (column 2). Literal braces are written
  ``{{`` and ``}}``; quantifiers like ``{2,4}`` and property classes like ``\p{Han}`` are
  left alone.
"""
from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass
from pathlib import Path

import regex

__all__ = ["RuleError", "rules_dir", "load_table", "load_patterns", "Table"]


class RuleError(ValueError):
    """A rule file is malformed. ``str()`` reads ``path:line: reason``."""

    def __init__(self, path: os.PathLike | str, line: int | None, reason: str):
        self.path = str(path)
        self.line = line
        self.reason = reason
        where = f"{self.path}:{line}" if line else self.path
        super().__init__(f"{where}: {reason}")


def rules_dir() -> Path:
    """The rules directory: ``$CNIE_RULES`` if set, else ``rules/`` beside the package."""
    env = os.environ.get("CNIE_RULES")
    if env:
        return Path(env)
    here = Path(__file__).resolve().parent
    for cand in (here.parent / "rules", here / "_rules"):
        if cand.is_dir():
            return cand
    raise RuleError(here.parent / "rules", None, "rules directory not found (set CNIE_RULES)")


@dataclass(frozen=True)
class Table:
    """Rows of a ``.tsv`` rule table, each with the line it came from."""

    path: str
    rows: tuple[tuple[str, ...], ...]
    lines: tuple[int, ...]

    def column(self, i: int = 0) -> list[str]:
        return [r[i] for r in self.rows if len(r) > i and r[i]]

    def mapping(self, key: int = 0, value: int = 1) -> dict[str, str]:
        return {r[key]: (r[value] if len(r) > value else "") for r in self.rows}


def _resolve(name: str | os.PathLike, base: Path | None = None) -> Path:
    p = Path(name)
    if p.is_absolute():
        return p
    return (base or rules_dir()) / p


@functools.lru_cache(maxsize=None)
def _load_table_cached(path: str, min_cols: int, max_cols: int | None, key_cols: int = 1) -> Table:
    p = Path(path)
    try:
        raw = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RuleError(p, None, "file not found") from None
    except UnicodeDecodeError as e:
        raise RuleError(p, None, f"not UTF-8 ({e.reason})") from None
    rows, lines, seen = [], [], {}
    for n, line in enumerate(raw.splitlines(), 1):
        s = line.rstrip("\r")
        if not s.strip() or s.lstrip().startswith("#"):
            continue
        fields = tuple(f.strip() for f in s.split("\t"))
        if len(fields) < min_cols:
            raise RuleError(p, n, f"expected at least {min_cols} tab-separated fields, got {len(fields)}")
        if max_cols is not None and len(fields) > max_cols:
            raise RuleError(p, n, f"expected at most {max_cols} tab-separated fields, got {len(fields)}")
        if not fields[0]:
            raise RuleError(p, n, "empty first field")
        key = fields[:key_cols]
        if key in seen:
            raise RuleError(p, n, f"duplicate entry {' / '.join(key)!r} (first on line {seen[key]})")
        seen[key] = n
        rows.append(fields)
        lines.append(n)
    return Table(str(p), tuple(rows), tuple(lines))


def load_table(name: str | os.PathLike, min_cols: int = 1, max_cols: int | None = None,
               base: Path | None = None, key_cols: int = 1) -> Table:
    """Load a TAB-separated table; two rows with the same first ``key_cols`` fields are an error."""
    return _load_table_cached(str(_resolve(name, base)), min_cols, max_cols, key_cols)


_REF = regex.compile(r"\{\{|\}\}|(?<!\\[pPN])\{(@?[A-Za-z_][\w./-]*(?::\d+)?)\}")


def _alternation(words: list[str]) -> str:
    uniq = sorted(set(words), key=lambda w: (-len(w), w))
    return "(?:" + "|".join(regex.escape(w) for w in uniq) + ")" if uniq else "(?!)"


@functools.lru_cache(maxsize=None)
def _load_patterns_cached(path: str, flags: int) -> dict[str, str]:
    p = Path(path)
    try:
        raw = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RuleError(p, None, "file not found") from None
    defs: dict[str, str] = {}
    for n, line in enumerate(raw.splitlines(), 1):
        s = line.strip()
        if not s or s.startswith("#"):
            continue
        if s.startswith("@include "):
            inc = s[len("@include "):].strip()
            defs.update(_load_patterns_cached(str(_resolve(inc, p.parent)), flags))
            continue
        name, sep, body = s.partition("=")
        name, body = name.strip(), body.strip()
        if not sep or not regex.fullmatch(r"[A-Za-z_]\w*", name):
            raise RuleError(p, n, "expected 'NAME = regex'")
        if not body:
            raise RuleError(p, n, f"pattern {name} is empty")

        def sub(m: regex.Match, _n=n) -> str:
            tok = m.group(0)
            if tok == "{{":
                return "\\{"
            if tok == "}}":
                return "\\}"
            ref = m.group(1)
            if ref.startswith("@"):
                fname, _, col = ref[1:].partition(":")
                try:
                    table = load_table(fname, base=p.parent)
                except RuleError as e:
                    raise RuleError(p, _n, f"lexicon {fname}: {e}") from None
                return _alternation(table.column(int(col) if col else 0))
            if ref not in defs:
                raise RuleError(p, _n, f"unknown reference {{{ref}}}")
            return "(?:" + defs[ref] + ")"

        expanded = _REF.sub(sub, body)
        try:
            regex.compile(expanded, flags)
        except regex.error as e:
            raise RuleError(p, n, f"pattern {name} does not compile: {e}") from None
        defs[name] = expanded
    return defs


def load_patterns(name: str | os.PathLike, flags: int = regex.V1, base: Path | None = None
                  ) -> dict[str, regex.Pattern]:
    """Load a ``.patterns`` file and return its fragments compiled (:func:`compile_fast`), by name."""
    defs = _load_patterns_cached(str(_resolve(name, base)), flags)
    return {k: compile_fast(v, flags) for k, v in defs.items()}


# constructs whose meaning differs between ``regex`` V1 and ``re`` although both accept them:
# nested sets and set operations, Unicode word boundaries, fuzzy matching
_REGEX_ONLY = re.compile(r"\\[bB]|\[\[|--|&&|~~|\|\||\{[eisd][<=]")


def compile_fast(src: str, flags: int = regex.V1):
    r"""Compile with Python's ``re`` when the pattern means the same there (it runs our patterns
    1.5–4× faster); otherwise — ``\p{Han}``, reverse search ``(?r)``, variable-width look-behind,
    nested sets, other flags — with the ``regex`` module. Both kinds answer ``match``,
    ``search``, ``finditer`` with pos/endpos alike."""
    if flags in (regex.V1, 0) and not _REGEX_ONLY.search(src):
        try:
            return re.compile(src)
        except (re.error, ValueError, OverflowError):
            pass
    return regex.compile(src, flags)


def pattern_source(name: str | os.PathLike, base: Path | None = None, flags: int = regex.V1
                   ) -> dict[str, str]:
    """The expanded regex sources of a pattern file (for composing further)."""
    return dict(_load_patterns_cached(str(_resolve(name, base)), flags))
