"""Sensitive-word lists, the term-file loader and brand consistency."""

import pytest

from socialops.textkit.terms import (
    MAX_TERM_LENGTH,
    BannedTerm,
    BrandChecker,
    BrandRule,
    SensitiveChecker,
    TermFileInvalid,
    TermList,
    load_terms,
)


def test_loader_skips_comments_and_blanks_and_numbers_bad_lines(tmp_path):
    text = "# 竞品名称\n\n竞品A\n  竞品B  \n" + "长" * (MAX_TERM_LENGTH + 1) + "\n竞品a\n\x07坏\n!!!\n"
    result = load_terms(text)
    assert result.terms == ("竞品A", "竞品B")
    assert result.duplicates == 1  # 竞品a folds to 竞品A
    assert [(e.line, e.code) for e in result.errors] == [
        (5, "too_long"),
        (7, "control_chars"),
        (8, "no_word"),
    ]
    assert result.errors[0].message() == "Line 5: the term has 51 characters; at most 50 are allowed."
    path = tmp_path / "list.txt"
    path.write_bytes(("\ufeff" + text).encode("utf-8"))
    from pathlib import Path

    assert load_terms(Path(path)).terms == ("竞品A", "竞品B")


def test_loader_strict_and_bad_encoding():
    with pytest.raises(TermFileInvalid) as exc:
        load_terms("好词\n" + "x" * 60, strict=True)
    assert exc.value.errors[0].line == 2
    result = load_terms("词语".encode("gbk"))
    assert result.terms == () and result.errors[0].code == "not_utf8"
    assert load_terms(b"a\r\nb\r\n").terms == ("a", "b")


def test_each_list_has_its_own_severity_and_the_worse_list_wins():
    checker = SensitiveChecker(
        [
            TermList("政治敏感", ("敏感词",), "block"),
            TermList("竞品名称", ("竞品A", "敏感词"), "warn"),
            TermList("提醒", ("抽奖",), "info"),
        ]
    )
    findings = checker.check("转发抽奖，竞品A和敏感词")
    assert [(f.text, f.severity, f.params["list"], f.start, f.end) for f in findings] == [
        ("抽奖", "info", "提醒", 2, 4),
        ("竞品A", "warn", "竞品名称", 5, 8),
        ("敏感词", "block", "政治敏感", 9, 12),
    ]
    assert findings[0].message() == "“抽奖” is on the sensitive-word list “提醒”."


def test_matching_ignores_width_case_and_inserted_spaces():
    checker = SensitiveChecker([TermList("l", ("敏感词", "bad word"), "block")])
    text = "敏 感\u200b词 and ＢＡＤ ｗｏｒｄ"
    assert [(f.start, f.end, f.text) for f in checker.check(text)] == [
        (0, 5, "敏 感\u200b词"),
        (10, 18, "ＢＡＤ ｗｏｒｄ"),
    ]


def test_ascii_terms_respect_word_boundaries_and_longest_wins():
    checker = SensitiveChecker([TermList("l", ("ad", "广告", "广告法"), "warn")])
    assert checker.check("add a badge") == []
    assert [f.text for f in checker.check("an ad, 广告法")] == ["ad", "广告法"]


def test_large_list_is_fast_enough():
    terms = tuple(f"词{i}号" for i in range(50_000))
    checker = SensitiveChecker([TermList("big", terms, "warn")])
    assert len(checker) == 50_000
    assert [f.text for f in checker.check("这里有词123号和词49999号")] == ["词123号", "词49999号"]


def test_brand_variants_and_inexact_spellings():
    checker = BrandChecker(
        [BrandRule("星曜 X1 Pro", ("星耀X1pro", "星耀 X1 Pro"))],
        [BannedTerm("yyds", "非常好"), "绝绝子"],
    )
    text = "星曜 X1 Pro 上市！星耀X1pro 和 星曜x1 pro 都写错了，星曜 Ｘ1 Pro 也不对，yyds 绝绝子"
    got = [(f.text, f.message_code, f.suggestion) for f in checker.check(text)]
    assert got == [
        ("星耀X1pro", "brand.forbidden_variant", "星曜 X1 Pro"),
        ("星曜x1 pro", "brand.inexact_spelling", "星曜 X1 Pro"),
        ("星曜 Ｘ1 Pro", "brand.inexact_spelling", "星曜 X1 Pro"),
        ("yyds", "brand.banned_slang", "非常好"),
        ("绝绝子", "brand.banned_slang", None),
    ]
    for f in checker.check(text):
        assert text[f.start : f.end] == f.text


def test_brand_name_is_not_found_inside_a_longer_model_name():
    checker = BrandChecker([BrandRule("X1 Pro", ())])
    assert checker.check("新款 x1 promax 发布") == []
    assert [f.text for f in checker.check("新款 x1 pro 发布，x1 pro and more")] == ["x1 pro", "x1 pro"]


def test_empty_inputs():
    assert BrandChecker().check("anything") == []
    assert SensitiveChecker([]).check("anything") == []
    assert SensitiveChecker([TermList("l", ("词",))]).check("") == []
