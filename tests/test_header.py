"""Header parsing: title, dateline (outlet + published), byline, editor's note, captions."""
from __future__ import annotations

import pytest

from pipeline.header import parse_header


def test_seed_header(seed_text):
    m = parse_header(seed_text)
    assert m.title == "平安东莞①|东莞市综治考评蝉联全省第二"
    assert m.outlet == "东莞时间网"
    assert m.published == "2020-10-10T08:16:45"
    assert seed_text[m.editor_note.start:m.editor_note.end].startswith("【编者按】")
    assert seed_text[m.editor_note.start:m.editor_note.end].endswith("敬请垂注!")
    assert len(m.captions) == 1
    cap = seed_text[m.captions[0].start:m.captions[0].end]
    assert cap.startswith("■全市政法系统") and cap.endswith("市委政法委供图")


@pytest.mark.parametrize("text,field,expected", [
    ("标题\n记者 吕晓敢\n正文。", "byline", "记者 吕晓敢"),
    ("标题\n本报记者 吕晓敢 通讯员 张三\n正文。", "byline", "本报记者 吕晓敢 通讯员 张三"),
    ("标题\n新华社 2021年3月5日\n正文。", "published", "2021-03-05"),
    ("标题\n新华社 2021年3月5日\n正文。", "outlet", "新华社"),
    ("标题\n2021-03-05 10:20 来源：人民网\n正文。", "outlet", "人民网"),
    ("标题\n2021-03-05 10:20 来源：人民网\n正文。", "published", "2021-03-05T10:20:00"),
    ("\n\n  标题在第三行\n正文。", "title", "标题在第三行"),
    ("", "title", None),
])
def test_header_fields(text, field, expected):
    assert getattr(parse_header(text), field) == expected


def test_no_dateline_in_body():
    m = parse_header("标题\n第一段。\n第二段提到2019-10-10的会议。")
    assert m.published is None


@pytest.mark.parametrize("value,expected", [
    ("2021/09/17", "2021-09-17"),
    ("2021年9月17日 10:20", "2021-09-17T10:20:00"),
    ("2021-09-17T08:05:01", "2021-09-17T08:05:01"),
    ("Sep 17, 2021", None),
    ("", None),
])
def test_metadata_dates_become_iso(value, expected):
    from pipeline.header import normalise_date

    assert normalise_date(value) == expected


def test_record_date_field_is_normalised_and_bad_dates_are_warned():
    import pipeline
    from pipeline.contract import Meta

    given = Meta(published="2021/09/17")
    rec = pipeline.extract("正文。", meta=given)
    assert rec["meta"]["published"] == "2021-09-17" and given.published == "2021/09/17"
    rec = pipeline.extract("正文。", meta=Meta(published="yesterday"))
    assert rec["meta"]["published"] is None
    assert rec["warnings"] == ["meta: publication date 'yesterday' not understood; ignored"]
