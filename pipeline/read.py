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
* :func:`decode_html` — the bytes of an HTML page → text. A byte-order mark still decides first;
  then the charset the page declares (``<meta charset="gbk">``, ``<meta http-equiv="Content-Type"
  content="text/html; charset=gb2312">``, or an XML declaration ``<?xml … encoding="GBK"?>``,
  looked for in the first 8 KiB; :func:`declared_charset`) is used when the bytes decode
  strictly with it, GB2312/GBK as GB18030 and Big5 as Big5/CP950 like detected ones. The record
  gets a warning (``Decoded.warning``, put first in the record's ``warnings``) and detection
  (:func:`decode`) decides instead when the declaration does not fit: the bytes do not decode
  with it (a page that says utf-8 but is GBK), the name is unknown, the page says GBK/Big5/…
  but its bytes are valid UTF-8 (pages re-saved as UTF-8 keep their old ``<meta>``), or it
  names a charset without Chinese characters (ISO-8859-1, windows-1252 …) over non-ASCII bytes.
  A declared UTF-16/32 without a byte-order mark means UTF-8, as in browsers.
* :func:`read_bytes` — a path → bytes, refusing what is not a regular file (a FIFO would hang).
* :func:`html_text` — an HTML page → its main article text, extracted by trafilatura
  (script, style, navigation and boilerplate dropped; paragraphs one per line). **The record text of
  an HTML input is this extracted text**: every offset in the output points into it, and
  ``--with-text`` stores it, so ``text[start:end] == item.text`` keeps holding. When trafilatura
  finds no main text (very short pages) its whole-page text conversion is used instead. The
  publication date is taken only from the page's markup (meta tags, ``<time>``, JSON-LD …),
  never guessed from a year in the body text.

* :func:`simplified_view` — traditional → simplified characters for matching (``--opencc``):
  OpenCC's ``t2s`` conversion applied character by character, keeping only conversions of one
  character to one character, so the view has the same length and every offset found in it is
  an offset into the original. Needs the optional ``opencc`` package (``pip install 'cnie[opencc]'``).

Nothing here raises anything but :class:`ReadError` for a bad input.
"""
from __future__ import annotations

import codecs
import functools
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

__all__ = ["ReadError", "Decoded", "HtmlText", "decode", "decode_html", "declared_charset", "read_bytes",
           "html_text", "read_text", "simplified_view", "fold_pairs"]

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
_CHINESE = ("gb18030", "big5", "utf_16", "utf_32")
_MAX_CHAOS = 0.2  # charset-normalizer "mess" above which a Chinese guess is not trusted
_SUPERSET = {"gb2312": "gb18030", "gbk": "gb18030", "hz": "hz", "big5": "big5", "cp950": "cp950"}


class ReadError(Exception):
    """An input could not be turned into text. ``stage`` says where (read, decode, html)."""

    def __init__(self, stage: str, message: str, error: str | None = None):
        super().__init__(message)
        self.stage = stage
        self.error = error or type(self).__name__
        self.message = message

    def __reduce__(self):  # picklable, for tasks sent to worker processes
        return (type(self), (self.stage, self.message, self.error))


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str
    warning: Optional[str] = None  # e.g. the page's declared charset did not fit its bytes


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


def _check_text(text: str, encoding: str, warning: Optional[str] = None) -> Decoded:
    if text:
        bad = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\n\r\f")
        if bad and bad / len(text) > _MAX_CONTROL_SHARE:
            raise ReadError("decode", f"binary data, not text ({bad} control characters)", "BinaryFile")
    return Decoded(text, encoding, warning)


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


# where an HTML page names its charset (HTML syntax, not language rules): a <meta> tag with
# charset=…, either as an attribute or inside http-equiv content, and an XML declaration
_HTML_HEAD = 8192
_META_CHARSET = re.compile(rb"<meta\b[^>]*?\bcharset\s*=\s*[\"']?\s*([a-z0-9][a-z0-9._:\-]*)", re.I)
_XML_ENCODING = re.compile(rb"^\s*<\?xml\b[^>]*?\bencoding\s*=\s*[\"']([a-z0-9][a-z0-9._:\-]*)", re.I)
_CJK_PROBE = chr(0x4E00)  # the first CJK unified ideograph: can the declared charset write Chinese?


def declared_charset(data: bytes) -> Optional[str]:
    """The charset an HTML page declares in its first 8 KiB (``<meta>``, else ``<?xml?>``), as written."""
    head = data[:_HTML_HEAD]
    m = _META_CHARSET.search(head) or _XML_ENCODING.search(head)
    return m.group(1).decode("ascii").lower() if m else None


def _codec_for(label: str) -> Optional[str]:
    """A declared charset label → the Python codec to decode with (None: unknown)."""
    for name in (label, label[2:] if label.startswith("x-") else None):
        if name:
            try:
                canon = codecs.lookup(name).name
            except LookupError:
                continue
            if canon.startswith(("utf-16", "utf-32")):  # without a BOM: what browsers do
                return "utf-8"
            return _SUPERSET.get(canon, canon)
    return None


def decode_html(data: bytes) -> Decoded:
    """An HTML page's bytes → text, honouring its declared charset when it fits (see module doc)."""
    label = declared_charset(data) if data and not any(data.startswith(b) for b, _ in _BOMS) else None
    if label is None:
        return decode(data)
    enc = _codec_for(label)
    if enc is None:
        return _instead(data, f"the page declares an unknown charset {label!r}")
    ascii_only = data.isascii()
    if enc != "utf-8" and not ascii_only:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            return _check_text(text, "utf-8", f"read: the page declares charset {label} but its bytes are "
                                              "UTF-8 (re-saved?); decoded as utf-8")
        try:
            writes_chinese = bool(_CJK_PROBE.encode(enc))
        except (UnicodeEncodeError, LookupError):
            writes_chinese = False
        if not writes_chinese:
            return _instead(data, f"the page declares charset {label}, which has no Chinese characters")
    errors: list[UnicodeDecodeError] = []
    for e in [enc] + (["cp950", "big5hkscs"] if enc == "big5" else []):
        try:
            return _check_text(data.decode(e), _canonical(e))
        except UnicodeDecodeError as err:
            errors.append(err)
    return _instead(data, f"the page declares charset {label} but its bytes do not decode as it "
                          f"({errors[0].reason} at byte {errors[0].start})")


def _instead(data: bytes, why: str) -> Decoded:
    """Detection decides after a declared charset did not fit; the record says why (unless
    detection agrees with the declaration after all)."""
    dec = decode(data)
    if _codec_for(dec.encoding) == _codec_for(declared_charset(data) or ""):
        return dec
    return Decoded(dec.text, dec.encoding, f"read: {why}; decoded as {dec.encoding} (detected)")


def _detect(data: bytes) -> Decoded:
    """Non-UTF-8 bytes: UTF-16 without BOM, then Chinese encodings first, then anything."""
    from charset_normalizer import from_bytes

    if b"\x00" in data and len(data) % 2 == 0:
        for enc in ("utf-16-le", "utf-16-be"):
            try:
                text = data.decode(enc)
            except UnicodeDecodeError:
                continue
            if _plausible(text):
                return Decoded(text, enc)
    # a Chinese news archive: GB18030/Big5 before the detector's other guesses (short GBK
    # snippets otherwise come out as Korean or Japanese)
    best = from_bytes(data, cp_isolation=list(_CHINESE)).best()
    if best is None or best.chaos > _MAX_CHAOS:
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


def _plausible(text: str) -> bool:
    """Does a UTF-16 decoding look like (Chinese) text: letters, CJK, punctuation, no controls?"""
    good = 0
    for ch in text:
        o = ord(ch)
        if o < 32 and ch not in "\t\n\r\f":
            return False
        if 0x20 <= o < 0x7F or 0x2000 <= o < 0x2070 or 0x3000 <= o < 0xA000 or 0xFF00 <= o < 0xFFF0 \
                or ch in "\t\n\r\f" or 0xA0 <= o < 0x250:
            good += 1
    return good >= 0.95 * len(text)


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
            # dates from the page's markup only: the extensive search turns a year in the body
            # ("2018年") into a publication date 2018-01-01, which would override the header's
            date_extraction_params={"extensive_search": False, "original_date": True},
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


_T2S: dict[str, str] = {}  # per process: character → its 1:1 simplified form (itself when none)


@functools.lru_cache(maxsize=1)
def _opencc():
    try:
        import opencc
    except ImportError:
        raise ReadError("read", "--opencc needs the opencc package: pip install 'cnie[opencc]'",
                        "ImportError") from None
    return opencc.OpenCC("t2s")


def fold_pairs(text: str) -> tuple[tuple[str, str], ...]:
    """The 1:1 traditional → simplified pairs for the characters of ``text`` (sorted)."""
    new = sorted({ch for ch in text if ord(ch) >= 0x2E80 and ch not in _T2S})
    if new:
        conv = _opencc().convert("\n".join(new)).split("\n")
        if len(conv) != len(new):  # a conversion swallowed a separator: fall back to one by one
            conv = [_opencc().convert(ch) for ch in new]
        for src, dst in zip(new, conv):
            _T2S[src] = dst if len(dst) == 1 else src
    return tuple(sorted((ch, _T2S[ch]) for ch in set(text) if ch in _T2S and _T2S[ch] != ch))


def simplified_view(text: str) -> str:
    """``text`` with traditional characters folded to simplified ones; same length as ``text``."""
    pairs = fold_pairs(text)
    return text.translate({ord(a): b for a, b in pairs}) if pairs else text
