"""Reading one input: encodings (with detection), non-text, non-regular files, HTML, OpenCC view."""
from __future__ import annotations

import os
import random
import socket

import pytest

from pipeline.read import ReadError, decode, fold_pairs, html_text, read_bytes, simplified_view

SIMP = "东莞时间网 2020-10-10 08:16:45\n记者从市委政法委获悉，2019年共成功调解案件46474件，同比上升16.15%。"
TRAD = "東莞時間網 2020年10月10日\n記者從市委政法委獲悉，今年東莞市成功獲評全國社會治理創新典範城市，調解案件46474件，同比上升16.15%。"

# (text, how it is written to bytes, encoding cnie must report)
ENCODING_SPECS = [
    (SIMP, "utf-8", "utf-8"),
    (SIMP, "utf-8-sig", "utf-8-sig"),
    (SIMP, "gbk", "gb18030"),
    (SIMP, "gb18030", "gb18030"),
    (SIMP[:12], "gbk", "gb18030"),          # short GBK snippets are the detector's hard case
    ("市委政法委", "gbk", "gb18030"),
    (TRAD, "big5", "big5"),
    (TRAD[:8], "big5", "big5"),
    (SIMP, "utf-16", "utf-16"),              # with BOM
    (SIMP, "utf-16-le", "utf-16-le"),        # without BOM
    (SIMP, "utf-16-be", "utf-16-be"),
    (SIMP, "utf-32", "utf-32"),
    ("", "utf-8", "utf-8"),
]


@pytest.mark.parametrize("text, written, reported", ENCODING_SPECS,
                         ids=[f"{w}-{len(t)}" for t, w, _ in ENCODING_SPECS])
def test_decode_detects_encoding(text, written, reported):
    d = decode(text.encode(written))
    assert d.text == text
    assert d.encoding == reported


def test_bom_is_not_part_of_the_text():
    d = decode("\ufeff平安东莞".encode("utf-8"))
    assert d.text == "平安东莞" and d.encoding == "utf-8-sig"


@pytest.mark.parametrize("data", [
    b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8,
    random.Random(7).randbytes(4000),
    bytes(b or 1 for b in random.Random(8).randbytes(4000)),  # no NUL bytes at all
    b"\x00" * 100,
])
def test_binary_is_a_decode_error(data):
    with pytest.raises(ReadError) as e:
        decode(data)
    assert e.value.stage == "decode"
    assert e.value.error in ("BinaryFile", "UnknownEncoding")
    assert "not text" in e.value.message or "no text encoding" in e.value.message


def test_read_bytes_refuses_missing_directories_and_sockets(tmp_path):
    with pytest.raises(ReadError, match="vanished") as e:
        read_bytes(tmp_path / "gone.txt")
    assert e.value.stage == "read" and e.value.error == "FileNotFoundError"
    with pytest.raises(ReadError, match="not a regular file"):
        read_bytes(tmp_path)
    sock_path = tmp_path / "s.txt"
    s = socket.socket(socket.AF_UNIX)
    try:
        s.bind(str(sock_path))
        with pytest.raises(ReadError, match="special file"):
            read_bytes(sock_path)
    finally:
        s.close()


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_read_bytes_unreadable(tmp_path):
    p = tmp_path / "locked.txt"
    p.write_text("x")
    p.chmod(0)
    with pytest.raises(ReadError, match="cannot read"):
        read_bytes(p)


PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>东莞综治考评蝉联全省第二</title>
<meta name="date" content="2020-10-10"><style>body {{ color: red }} .n:after {{ content: "样式里的99件" }}</style>
<script>var x = "脚本里的123件"; document.write(x);</script></head>
<body><article><h1>东莞综治考评蝉联全省第二</h1>
<p>{p1}</p><p>{p2}</p><script>console.log("又一段脚本77件")</script></article></body></html>"""


def test_html_main_text_without_script_or_style():
    p1 = "记者日前从市委政法委获悉，今年东莞市荣获2019年度全省平安建设考评第二名。"
    p2 = "2019年共成功调解案件46474件。"
    h = html_text(PAGE.format(p1=p1, p2=p2))
    assert p1 in h.text and p2 in h.text
    for junk in ("123件", "99件", "77件", "color", "console"):
        assert junk not in h.text
    assert h.title == "东莞综治考评蝉联全省第二"
    assert h.published == "2020-10-10"
    i = h.text.index("46474件")
    assert h.text[i:i + 6] == "46474件"  # offsets are into the extracted text


def test_html_date_only_from_markup_never_guessed_from_body_years():
    page = ("<html><head><title>东莞</title></head><body><article><p>记者获悉，2019年共成功调解案件46474件。</p>"
            "<p>2018年的情况另有说明，数量为12件。</p></article></body></html>")
    assert html_text(page).published is None
    marked = page.replace("<title>", '<meta property="article:published_time" content="2020-10-10T08:16:45"><title>')
    assert html_text(marked).published == "2020-10-10"


def test_html_tiny_page_falls_back_to_page_text():
    h = html_text("<html><body><p>只有一句：12件。</p><script>x=1</script></body></html>")
    assert h.text.strip() == "只有一句：12件。"


def test_simplified_view_is_one_to_one_and_same_length():
    pytest.importorskip("opencc", reason="optional extra cnie[opencc]")
    view = simplified_view(TRAD)
    assert len(view) == len(TRAD)
    assert view.startswith("东莞时间网 2020年10月10日\n记者从市委政法委获悉")
    i = view.index("调解案件")
    assert TRAD[i:i + 4] == "調解案件"
    pairs = fold_pairs(TRAD)
    assert ("東", "东") in pairs and ("從", "从") in pairs
    assert all(len(a) == 1 and len(b) == 1 and a != b for a, b in pairs)
    assert simplified_view(SIMP) == SIMP


# --- HTML: the charset the page declares -------------------------------------------------------

BODY = "记者日前从市委政法委获悉，2019年共成功调解案件46474件，同比上升16.15%。"
META5 = '<meta charset="{cs}">'
META4 = '<meta http-equiv="Content-Type" content="text/html; charset={cs}" />'


def _page(meta: str, body: str = BODY, prolog: str = "", title: str = "东莞") -> str:
    return f"{prolog}<html><head>{meta}<title>{title}</title></head><body><article><p>{body}</p></article></body></html>"


@pytest.mark.parametrize("html, declared", [
    (_page(META5.format(cs="gbk")), "gbk"),
    (_page(META4.format(cs="GB2312")), "gb2312"),
    (_page('<meta content="text/html;charset=big5" http-equiv="Content-Type">'), "big5"),
    (_page("", prolog='<?xml version="1.0" encoding="GBK"?>\n'), "gbk"),
    (_page("<meta name=description content=无字符集>"), None),
])
def test_declared_charset(html, declared):
    from pipeline.read import declared_charset

    assert declared_charset(html.encode("utf-8")) == declared


# (page text, bytes written as, encoding cnie reports, warning it adds or None)
HTML_CHARSET_SPECS = [
    # honest declarations: GB2312/GBK decode as GB18030, a short page the detector alone gets wrong
    (_page(META4.format(cs="gb2312")), "gbk", "gb18030", None),
    (_page(META5.format(cs="gbk"), body="调解案件"), "gbk", "gb18030", None),
    (_page(META5.format(cs="gbk"), body="东莞", title=""), "gbk", "gb18030", None),  # detection alone: Big5
    (_page(META5.format(cs="gb18030")), "gb18030", "gb18030", None),
    (_page(META5.format(cs="big5"), body=TRAD, title="東莞"), "big5", "big5", None),
    (_page("", prolog='<?xml version="1.0" encoding="gb2312"?>\n'), "gbk", "gb18030", None),
    (_page(META5.format(cs="utf-8")), "utf-8", "utf-8", None),
    # lies and oddities: detection decides, the record says why
    (_page(META5.format(cs="utf-8")), "gbk", "gb18030",
     "read: the page declares charset utf-8 but its bytes do not decode as it (invalid start byte at byte 41); "
     "decoded as gb18030 (detected)"),
    (_page(META4.format(cs="gb2312")), "utf-8", "utf-8",
     "read: the page declares charset gb2312 but its bytes are UTF-8 (re-saved?); decoded as utf-8"),
    (_page(META5.format(cs="iso-8859-1")), "gbk", "gb18030",
     "read: the page declares charset iso-8859-1, which has no Chinese characters; decoded as gb18030 (detected)"),
    (_page(META5.format(cs="klingon-8")), "gbk", "gb18030",
     "read: the page declares an unknown charset 'klingon-8'; decoded as gb18030 (detected)"),
    (_page(META5.format(cs="utf-16")), "utf-8", "utf-8", None),  # no BOM: means UTF-8, as in browsers
    # a genuine Western page: detection agrees with its declaration, so no warning
    (_page(META5.format(cs="iso-8859-1"), body="Un café très bon, déjà vu à la française.", title="Café"),
     "latin-1", "iso8859-1", None),
    # a byte-order mark beats the declaration
    (_page(META5.format(cs="gbk")), "utf-8-sig", "utf-8-sig", None),
]


@pytest.mark.parametrize("html, written, reported, warning", HTML_CHARSET_SPECS,
                         ids=[f"{i}-{w}-as-{r}" for i, (_, w, r, _) in enumerate(HTML_CHARSET_SPECS)])
def test_decode_html_honours_declared_charset(html, written, reported, warning):
    from pipeline.read import decode_html

    d = decode_html(html.encode(written))
    assert (d.text, d.encoding, d.warning) == (html, reported, warning)


def test_decode_html_offset_in_warning_is_the_first_bad_byte():
    from pipeline.read import decode_html

    data = _page(META5.format(cs="utf-8")).encode("gbk")
    d = decode_html(data)
    i = int(d.warning.split(" at byte ")[1].split(")")[0])
    with pytest.raises(UnicodeDecodeError):
        data[:i + 2].decode("utf-8")
    data[:i].decode("utf-8")  # everything before it is fine
