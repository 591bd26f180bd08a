"""HTML building blocks of the report pages: escaping and the page shell.

Takes values or a page title; returns HTML strings: :func:`esc` (escaped text),
:func:`short` (a value as at most ``n`` characters of text), :func:`page_head` /
:func:`page_tail` (doctype, Content-Security-Policy pinning the page script by hash, the
inline CSS and JS of ``pipeline/templates/``).
"""
from __future__ import annotations

import base64
import hashlib
import json
from functools import lru_cache
from importlib import resources
from typing import Any

# what html.escape(quote=True) replaces, plus CR as a character reference (the HTML parser
# would fold CR LF into LF and shift the text; a reference keeps the character)
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;", "\r": "&#13;"})


def esc(s: Any) -> str:
    """HTML-escape text for element content and quoted attribute values."""
    return "" if s is None else str(s).translate(_ESCAPES)


def short(v: Any, n: int = 300) -> str:
    """``v`` as text (JSON unless a str), cut to ``n`` characters plus an ellipsis."""
    s = v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)
    return s if len(s) <= n else s[:n] + "…"


@lru_cache(maxsize=None)
def _template(name: str) -> str:
    """A file of ``pipeline/templates/`` (package data)."""
    return resources.files("pipeline").joinpath("templates", name).read_text(encoding="utf-8")


def page_head(title: str) -> str:
    """Doctype, head (CSP pinning the page script by hash, inline CSS) and the tooltip element."""
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta http-equiv="Content-Security-Policy" content="{esc(csp())}">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<meta name="generator" content="cnie report"><title>{esc(title)}</title>'
            f'<style>{_template("report.css")}</style></head><body>'
            f'<div id="tip" role="tooltip"></div>')


def page_tail() -> str:
    """Closes ``<main>``, adds the page script and closes the page."""
    return f'</main><script>{_template("report.js")}</script></body></html>\n'


def csp() -> str:
    """The Content-Security-Policy: only the page's own script (by sha256) runs, nothing is fetched."""
    digest = base64.b64encode(hashlib.sha256(_template("report.js").encode("utf-8")).digest()).decode()
    return (f"default-src 'none'; script-src 'sha256-{digest}'; style-src 'unsafe-inline'; "
            "img-src data:; base-uri 'none'; form-action 'none'")
