"""Time expressions that can date an indicator (surface forms; periods are tested in test_period)."""
from __future__ import annotations

import pytest

from pipeline.normalise import normalise
from pipeline.timex import find_times


@pytest.mark.parametrize("text,expected", [
    ("2019年共成功调解案件", ["2019年"]),
    ("荣获2019年度全省考评第二名", ["2019年度"]),
    ("2019年1-10月，2018年以来", ["2019年1-10月", "2018年以来"]),
    ("1—11月份，11月末，截至7月底", ["1-11月份", "11月末", "截至7月底"]),
    ("今年以来，去年同期，去年第三季，全年", ["今年以来", "去年同期", "去年第三季", "全年"]),
    ("一季度，前三季度，上半年", ["一季度", "前三季度", "上半年"]),
    ("“十四五”期间，2020-2022年", ["“十四五”期间", "2020-2022年"]),
    ("截至目前，过去一年，近三年", ["截至目前", "过去一年", "近三年"]),
    ("三年为期总目标，飓风2019，第二批", []),
])
def test_find_times(text, expected):
    norm = normalise(text).text
    assert [norm[t.start:t.end] for t in find_times(norm)] == expected


def test_traditional_and_full_width_fold_to_the_same_times():
    orig = "２０１９年１—１１月份，去年第三季"
    times = find_times(normalise(orig).text)
    assert [orig[t.start:t.end] for t in times] == ["２０１９年１—１１月份", "去年第三季"]
