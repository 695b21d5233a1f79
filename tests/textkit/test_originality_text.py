"""Normalisation, shingles, exact Jaccard and the side-by-side diff of the originality check."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from socialops.textkit import minhash, textdiff
from socialops.textkit import originality as orig
from socialops.textkit.shingles import (
    Normalized,
    jaccard,
    normalize,
    normalize_with_offsets,
    shingle_codes,
    shingle_codes_many,
    shingle_set,
)

POST = "【新品上市】智能手表X5今天正式开售！续航14天，支持血氧监测。评论区抽3位粉丝送手表🎉 #新品首发#"

# Characters that interact under NFKC or in the normaliser: half-width voicing marks, Hangul
# jamo, combining marks, ligatures, final sigma, full-width forms, URLs, repeats.
TRICKY = list(
    "ｶﾞﾊﾟﾞﾟ\u1100\u1161\u11a8\u0301\u0323\u0307eEsSßΣς哈好1０ＡＢ，。！ \n😀\u200d\ufe0f#@_/:.wWhHtTpP①㈱ﬁİ"
)
TRICKY += ["http://", "https://", "www.", "\u0b47\u0b3e", "\u09c7\u09be"]
tricky_text = st.lists(st.sampled_from(TRICKY), max_size=25).map("".join)
any_text = st.text(st.characters(), max_size=40)
chinese = st.text(
    st.sampled_from(list("今天天气很好我们一起去公园散步吧，。！新品上市手表哈😀 ")), max_size=60
)
repetitive = st.text(st.sampled_from(list("上上哈哈好，1")), max_size=30)


# ---- normalisation ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ＡＢＣ１２３", "abc123"),  # full-width → half-width, case folded
        ("今天，天气 很好！\n", "今天天气很好"),  # punctuation, spaces, line breaks go
        ("太棒了😀🎉✨👍🏻", "太棒了"),  # emoji (with skin tone) go
        ("哈哈哈哈哈哈", "哈哈"),  # a laugh is collapsed…
        ("看看常常", "看看常常"),  # …ordinary doubled characters stay
        ("冲冲冲！", "冲冲"),
        ("1000000元", "1000000元"),  # digits never collapse
        ("详情见https://t.cn/A6xYz?from=wb点击", "详情见点击"),  # links go, the text after stays
        ("访问 www.example.com/page 了解", "访问了解"),
        ("Straße STRASSE", "strassestrasse"),  # casefold, not lower
        ("①②③", "123"),
        ("ｶﾞﾝﾊﾞﾚ", "ガンバレ"),  # half-width katakana with voicing marks compose
        ("", ""),
        ("！！！😀😀", ""),
    ],
)
def test_normalize(text: str, expected: str) -> None:
    assert normalize(text) == expected
    assert normalize_with_offsets(text).text == expected


@settings(max_examples=300, deadline=None)
@given(st.one_of(any_text, tricky_text))
def test_slow_normaliser_agrees_with_fast_one(text: str) -> None:
    assert normalize_with_offsets(text).text == normalize(text)


@settings(max_examples=200, deadline=None)
@given(st.one_of(any_text, tricky_text, chinese))
def test_offsets_point_at_the_source_characters(text: str) -> None:
    norm = normalize_with_offsets(text)
    previous_end = 0
    for i, ch in enumerate(norm.text):
        start, end = norm.src_start[i], norm.src_end[i]
        assert 0 <= start < end <= len(text)
        assert start >= previous_end or start == norm.src_start[i - 1]  # in order (expansions share)
        assert ch in normalize(text[start:end]) or normalize(text[start:end]) == ""
        previous_end = end
    # Boundaries cut the original into contiguous, ordered pieces covering all of it.
    cuts = [norm.boundary(p) for p in range(len(norm.text) + 1)]
    assert cuts == sorted(cuts)
    if norm.text:
        assert cuts[0] == 0 and cuts[-1] == len(text)


def test_offsets_of_a_post() -> None:
    norm = normalize_with_offsets(POST)
    assert norm.text.startswith("新品上市智能手表x5")
    i = norm.text.index("x5")
    assert POST[norm.src_start[i] : norm.src_end[i]] == "X"
    run = normalize_with_offsets("好哈哈哈哈！")
    assert run.text == "好哈哈"
    assert run.span(1, 3) == (1, 5)  # the kept pair stands for the whole run


# ---- shingles and Jaccard ---------------------------------------------------------------------


def test_shingles_are_exact_for_k3() -> None:
    codes = shingle_codes("今天天气很好")
    assert codes.size == 4  # 今天天 天天气 天气很 气很好
    assert len(set(codes.tolist())) == 4
    # Packing is exact: different shingles can never share a code.
    assert shingle_codes("abc")[0] == (ord("a") << 42) | (ord("b") << 21) | ord("c")


def test_short_and_empty_texts() -> None:
    assert shingle_codes("").size == 0
    short = shingle_codes("好")
    assert short.size == 1 and int(short[0]) >> 63 == 1  # flagged: never equals a 3-shingle
    assert shingle_codes("好")[0] != shingle_codes("好好")[0]
    assert jaccard("好！", "好") == 1.0
    assert jaccard("好", "好好") == 0.0
    assert jaccard("😀", "😀") == 0.0  # nothing left to compare: similar to nothing


@pytest.mark.parametrize("k", [1, 2, 3, 4, 5, 8])
def test_batch_shingles_equal_single_ones(k: int) -> None:
    texts = [normalize(t) for t in [POST, "", "好", "好吧", "今天天气很好", "ab", "😀"]]
    codes, counts = shingle_codes_many(texts, k)
    assert counts.tolist() == [shingle_codes(t, k).size for t in texts]
    at = 0
    for t, c in zip(texts, counts.tolist(), strict=True):
        assert codes[at : at + c].tolist() == shingle_codes(t, k).tolist()
        at += c


def test_k_is_validated() -> None:
    with pytest.raises(ValueError):
        shingle_codes("abc", 0)
    with pytest.raises(ValueError):
        orig.OriginalityIndex(k=17)


@settings(max_examples=200, deadline=None)
@given(st.one_of(chinese, any_text), st.one_of(chinese, any_text))
def test_jaccard_is_symmetric_and_bounded(a: str, b: str) -> None:
    s = jaccard(a, b)
    assert s == jaccard(b, a)
    assert 0.0 <= s <= 1.0


@settings(max_examples=200, deadline=None)
@given(st.one_of(chinese, any_text))
def test_jaccard_of_a_text_with_itself_is_one(text: str) -> None:
    expected = 1.0 if normalize(text) else 0.0
    assert jaccard(text, text) == expected
    assert jaccard(text, text + "！！ 😀") == expected  # punctuation and emoji change nothing


def test_jaccard_value() -> None:
    # 今天天气很好 {今天天 天天气 天气很 气很好} vs 今天天气真好 {今天天 天天气 天气真 气真好}
    assert jaccard("今天天气很好", "今天天气真好") == pytest.approx(2 / 6)
    assert shingle_set("今天天今天天").tolist() == sorted(set(shingle_codes("今天天今天天").tolist()))


# ---- MinHash ----------------------------------------------------------------------------------


#: First constants and checksum of MinHasher(128, seed=1), as first released.
FINGERPRINT = (3203108257, 1385143811, 2549428589)


def test_minhash_constants_never_change() -> None:
    """Saved indexes depend on these constants: they come from splitmix64, not numpy's RNG."""
    hasher = minhash.MinHasher(128, seed=1)
    assert hasher.fingerprint() == minhash.MinHasher(128, seed=1).fingerprint()
    assert hasher.fingerprint() != minhash.MinHasher(128, seed=2).fingerprint()
    assert (int(hasher.a[0]), int(hasher.b[0]), hasher.fingerprint()) == FINGERPRINT
    assert all(int(a) % 2 == 1 for a in hasher.a)


def test_minhash_estimates_jaccard_without_bias() -> None:
    rng = np.random.default_rng(7)
    hasher = minhash.MinHasher(128, seed=3)
    errors = []
    for _ in range(300):
        shared = rng.integers(0, 2**62, 120, dtype=np.uint64)
        a = np.concatenate([shared, rng.integers(0, 2**62, 40, dtype=np.uint64)])
        b = np.concatenate([shared, rng.integers(0, 2**62, 40, dtype=np.uint64)])
        true = 120 / 200
        sig = hasher.signatures(np.concatenate([a, b]), np.array([a.size, b.size]))
        errors.append(float(np.mean(sig[0] == sig[1])) - true)
    err = np.array(errors)
    sd = np.sqrt(0.6 * 0.4 / 128)
    assert abs(err.mean()) < 3 * sd / np.sqrt(err.size)  # unbiased
    assert 0.8 * sd < err.std() < 1.2 * sd  # and as precise as independent permutations


def test_tune_lsh_reaches_the_wanted_recall() -> None:
    for threshold in (0.5, 0.6, 0.7, 0.8, 0.9):
        bands, rows = minhash.tune_lsh(threshold, 128)
        assert bands * rows <= 128
        assert minhash.collision_probability(threshold, bands, rows) >= minhash.DEFAULT_LSH_RECALL
        # The S-curve's midpoint sits below the threshold, and pairs half as similar as the
        # threshold rarely become candidates.
        assert threshold - 0.25 < minhash.s_curve_midpoint(bands, rows) < threshold
        assert minhash.collision_probability(threshold / 2, bands, rows) < 0.35
    assert minhash.tune_lsh(0.6, 128) == (22, 4)
    assert minhash.tune_lsh(0.6, 128, min_recall=0.99) != minhash.tune_lsh(0.6, 128)


# ---- diff -------------------------------------------------------------------------------------


def _piece(norm: Normalized, start: int, end: int) -> str:
    return "".join(ch for i, ch in enumerate(norm.text) if start <= norm.src_start[i] < end)


def _check_diff(a: str, b: str) -> textdiff.TextDiff:
    d = textdiff.diff(a, b)
    na, nb = normalize(a), normalize(b)
    if na and nb:
        # Each side's spans are contiguous and cover the whole text.
        assert d.ops[0].a_start == 0 and d.ops[0].b_start == 0
        assert d.ops[-1].a_end == len(a) and d.ops[-1].b_end == len(b)
        for prev, op in zip(d.ops, d.ops[1:], strict=False):
            assert prev.a_end == op.a_start and prev.b_end == op.b_start
    oa, ob = normalize_with_offsets(a), normalize_with_offsets(b)
    for op in d.ops:
        # The normalised characters whose source lies in each span (normalising the slice
        # itself would differ inside a collapsed run such as 哈哈哈哈).
        left, right = _piece(oa, op.a_start, op.a_end), _piece(ob, op.b_start, op.b_end)
        if op.tag == "equal":
            assert left == right
        elif op.tag == "delete":
            assert right == ""
        elif op.tag == "insert":
            assert left == ""
    # Gluing the pieces back gives the texts.
    assert "".join(a[s:e] for _, s, e in d.segments_a()) == (a if na else "")
    assert "".join(b[s:e] for _, s, e in d.segments_b()) == (b if nb else "")
    assert d.similarity == jaccard(a, b)
    return d


def test_diff_spans_of_an_edit() -> None:
    a = "今天天气很好，我们一起去公园散步吧！"
    b = "今天天气真好!我们一起去公园散步吧 #周末#"
    d = _check_diff(a, b)
    shown = [(op.tag, a[op.a_start : op.a_end], b[op.b_start : op.b_end]) for op in d.ops]
    assert shown == [
        ("equal", "今天天气", "今天天气"),
        ("replace", "很", "真"),
        ("equal", "好，我们一起去公园散步吧！", "好!我们一起去公园散步吧"),
        ("insert", "", " #周末#"),
    ]
    assert d.segments_a() == [("equal", 0, 4), ("changed", 4, 5), ("equal", 5, 18)]
    assert d.segments_b()[-1] == ("added", 17, 22)


def test_diff_ignores_punctuation_width_and_case() -> None:
    d = _check_diff("新品ABC，限时优惠！", "新品ａｂｃ 限时优惠😀")
    assert [op.tag for op in d.ops] == ["equal"]
    assert d.similarity == 1.0


def test_diff_of_long_texts_goes_sentence_by_sentence(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(textdiff, "CHAR_DIFF_LIMIT", 40)
    sentences = [f"第{i}段内容讲的是新品上市的故事。" for i in range(12)]
    a = "".join(sentences)
    edited = sentences.copy()
    edited[3] = "第3段内容讲的是旧品返场的故事。"
    del edited[7]
    edited.insert(9, "这是新加的一句话！")
    b = "".join(edited)
    d = _check_diff(a, b)
    changed_a = "".join(a[s:e] for kind, s, e in d.segments_a() if kind != "equal")
    changed_b = "".join(b[s:e] for kind, s, e in d.segments_b() if kind != "equal")
    assert "新" in changed_a and "上市" in changed_a and "第7段" in changed_a
    assert "旧" in changed_b and "返场" in changed_b and "这是新加的一句话" in changed_b
    assert "第0段" not in changed_a + changed_b  # untouched sentences stay equal


@settings(max_examples=300, deadline=None)
@given(st.one_of(chinese, repetitive, tricky_text), st.one_of(chinese, repetitive, tricky_text))
def test_diff_property(a: str, b: str) -> None:
    # A character whose case folding expands (ß → ss, ﬁ → fi) is one source character behind
    # two compared ones; a diff may pair only half of it with the other text, and no span of
    # the original can show half a character. Known limit, documented in docs/originality.md.
    assume(not any(len(ch.casefold()) > 1 for ch in a + b))
    _check_diff(a, b)
