"""Normalisation keeps a map back to the original offsets."""

from socialops.textkit.normalize import fold, fold_compact, normalize


def test_full_width_and_case_fold_to_ascii_lower():
    assert fold("ＮＯ．１") == "no.1"
    assert fold("ＴＯＰ１") == "top1"
    assert fold_compact("星曜 Ｘ1  Pro") == "星曜x1pro"


def test_spans_map_back_through_dropped_spaces_and_zero_width():
    text = "全\u3000网 最\u200b低价"
    nt = normalize(text, drop_spaces="cjk")
    assert nt.text == "全网最低价"
    i = nt.text.index("最低")
    assert nt.span(i, i + 2) == (text.index("最"), text.index("低") + 1)
    assert text[slice(*nt.span(0, len(nt.text)))] == text


def test_spaces_between_ascii_words_are_kept_in_cjk_mode():
    assert normalize("TOP 1 的 top pick", drop_spaces="cjk").text == "top 1的top pick"
    assert normalize("a b", drop_spaces="all").text == "ab"
    assert normalize("a\nb", drop_spaces="cjk").text == "a\nb"


def test_expanding_characters_map_to_their_source():
    text = "ﬁ最"  # the ligature NFKC-expands to two characters
    nt = normalize(text)
    assert nt.text == "fi最"
    assert nt.span(0, 2) == (0, 1)
    assert nt.span(2, 3) == (1, 2)
