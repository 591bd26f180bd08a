"""Read ONE article file or record into text.

Takes bytes, a path or an HTML string; returns ``str`` text plus what was learnt on the way
(:class:`Decoded`: the encoding used; :class:`HtmlText`: title and date from the page).

* :func:`decode` — bytes → text. A byte-order mark decides first (UTF-8-BOM, UTF-16/32),
  then strict UTF-8, then charset-normalizer's best guess (GB18030/GBK, Big5, UTF-16 without
  BOM …). GB2312/GBK guesses decode as GB18030 (their superset), Big5 as CP950-compatible Big5
  when plain Big5 fails. Bytes that are no text (NUL bytes without a UTF-16 shape, many control
  characters, nothing detected) raise :class:`ReadError`. The encoding actually used goes into
  ``Source.encoding`` as a Python codec name (``utf-8``, ``utf-8-sig``, ``gb18030``, ``big5``,
  ``utf-16`` …).
* :func:`read_bytes` — a path → bytes, refusing what is not a regular file (a FIFO would hang).
* :func:`html_text` — an HTML page → its main article text, extracted by trafilatura
  (script, style, navigation and boilerplate dropped; paragraphs one per line). **The record text of
  an HTML input is this extracted text**: every offset in the output points into it, and
  ``--with-text`` stores it, so ``text[start:end] == item.text`` keeps holding. When trafilatura
  finds no main text (very short pages) its whole-page text conversion is used instead.

Nothing here raises anything but :class:`ReadError` for a bad input.
"""
from __future__ import annotations

import codecs
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

__all__ = ["ReadError", "Decoded", "HtmlText", "decode", "read_bytes", "html_text", "read_text"]

# a text file may hold this share of C0 control characters (other than \t \n \r \f) at most
_MAX_CONTROL_SHARE = 0.01
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# detector answers decoded with a superset codec (same bytes, more characters)
_SUPERSET = {"gb2312": "gb18030", "gbk": "gb18030", "hz": "hz", "big5": "big5", "cp950": "cp950"}


class ReadError(Exception):
    """An input could not be turned into text. ``stage`` says where (read, decode, html)."""

    def __init__(self, stage: str, message: str, error: str | None = None):
        super().__init__(message)
        self.stage = stage
        self.error = error or type(self).__name__
        self.message = message


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str


@dataclass(frozen=True)
class HtmlText:
    text: str
    title: Optional[str] = None
    published: Optional[str] = None


def read_bytes(path: os.PathLike | str) -> bytes:
    """The bytes of a regular file; :class:`ReadError` (stage ``read``) otherwise."""
    try:
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode):
            kind = "directory" if stat.S_ISDIR(st.st_mode) else "special file"
            raise ReadError("read", f"not a regular file ({kind})", "NotARegularFile")
        with open(path, "rb") as f:
            return f.read()
    except ReadError:
        raise
    except FileNotFoundError:
        raise ReadError("read", "file vanished: no such file", "FileNotFoundError") from None
    except OSError as e:
        raise ReadError("read", f"cannot read: {e.strerror or e}", type(e).__name__) from None


def _canonical(name: str) -> str:
    try:
        return codecs.lookup(name).name
    except LookupError:
        return name


def _check_text(text: str, encoding: str) -> Decoded:
    if text:
        bad = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\n\r\f")
        if bad and bad / len(text) > _MAX_CONTROL_SHARE:
            raise ReadError("decode", f"binary data, not text ({bad} control characters)", "BinaryFile")
    return Decoded(text, encoding)


def decode(data: bytes) -> Decoded:
    """Bytes → text and the encoding used; :class:`ReadError` (stage ``decode``) for non-text."""
    if not data:
        return Decoded("", "utf-8")
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(enc)
            except UnicodeDecodeError as e:
                raise ReadError("decode", f"byte-order mark says {enc} but {e.reason} at byte {e.start}",
                                "UnicodeDecodeError") from None
            if enc == "utf-8-sig":
                return _check_text(text, "utf-8-sig")
            return _check_text(text.lstrip("\ufeff"), enc)
    try:
        return _check_text(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    return _detect(data)


def _detect(data: bytes) -> Decoded:
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        kind = "binary data, not text" if b"\x00" in data else "no text encoding fits"
        raise ReadError("decode", kind, "BinaryFile" if b"\x00" in data else "UnknownEncoding")
    guess = _canonical(best.encoding)
    tries = [_SUPERSET.get(guess, guess)]
    if guess == "big5":
        tries.append("cp950")
    if guess not in tries:
        tries.append(guess)
    for enc in tries:
        try:
            return _check_text(data.decode(enc), _canonical(enc))
        except UnicodeDecodeError:
            continue
    raise ReadError("decode", f"detected {guess} but the bytes do not decode as it", "UnicodeDecodeError")


def html_text(html: str) -> HtmlText:
    """Main article text of an HTML page (trafilatura), with its title and date when found."""
    try:
        import trafilatura
    except ImportError:  # pragma: no cover - the html extra is installed by make
        raise ReadError("html", "HTML input needs trafilatura: pip install 'cnie[html]'", "ImportError") from None
    try:
        doc = trafilatura.bare_extraction(
            html, output_format="python", include_comments=False, include_tables=True,
            favor_recall=True, with_metadata=True,
        )
    except Exception as e:  # trafilatura/lxml raise assorted errors on broken markup
        raise ReadError("html", f"HTML extraction failed: {e}", type(e).__name__) from None
    text = title = date = None
    if doc is not None:
        get = doc.get if isinstance(doc, dict) else (lambda k: getattr(doc, k, None))
        text, title, date = get("text"), get("title"), get("date")
    if not text or not text.strip():
        try:
            text = trafilatura.html2txt(html) or ""
        except Exception as e:
            raise ReadError("html", f"HTML extraction failed: {e}", type(e).__name__) from None
    return HtmlText(text=text, title=title or None, published=date or None)


def read_text(path: os.PathLike | str) -> Decoded:
    """A text file → decoded text (convenience for single files)."""
    return decode(read_bytes(Path(path)))
