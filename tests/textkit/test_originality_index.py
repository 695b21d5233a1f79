"""The originality index: near-duplicates found, unrelated posts not, removal, persistence."""

from __future__ import annotations

import random
from collections.abc import Sequence

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from socialops.textkit import originality as orig
from socialops.textkit.originality import OriginalityIndex
from socialops.textkit.shingles import jaccard, normalize

POSTS = {
    1: "【新品上市】智能手表X5今天正式开售！续航14天，支持血氧监测，首批仅500台。评论区抽3位粉丝送手表🎉",
    2: "周末读书会报名开始啦，本期主题是《百年孤独》，地点在杭州西湖区的书店，欢迎大家带朋友一起参加。",
    3: "很多宝妈问我们保温杯值不值得买，今天统一回复一下：316不锈钢内胆，保温12小时，可以放心给孩子用。",
    4: "夏日音乐节的门票还剩最后200张，今晚八点直播间抢票，记得提前预约，错过就要再等一年啦！",
    5: "感谢各位粉丝一路陪伴，我们的公众号今天满三周年，准备了100份小礼物，转发本条即可参与抽奖。",
}
UNRELATED = [
    "今天的科普时间聊聊咖啡因：一杯美式大约含有一百五十毫克，孕妇每天最好不要超过两百毫克。",
    "露营装备清单来了：帐篷、睡袋、防潮垫、头灯和驱蚊液，新手照着准备基本不会出错。",
    "下周一起客服热线调整为早九点到晚九点，节假日照常服务，给您带来的不便敬请谅解。",
]

SENTENCE_POOL = [
    "这次的{p}主打超长续航，好看又好用。",
    "评论区抽{n}位粉丝送{p}，周五开奖。",
    "{p}已经卖出{n}万件，谢谢大家的支持！",
    "想知道{p}怎么选？看这一篇就够了。",
    "我们在{p}的设计上花了{n}个月，只为做到更轻。",
    "{p}支持{n}天无理由退换，售后有保障。",
    "今天给大家分享{n}个{p}的使用小技巧。",
    "从北京到上海，{p}陪打工人走过了{n}公里。",
]
PRODUCTS = ["智能手表", "无线耳机", "保温杯", "空气净化器", "电动牙刷", "咖啡机", "跑鞋", "背包"]


def generated_posts(n: int, seed: int = 5) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        sentences = [
            rng.choice(SENTENCE_POOL).format(p=rng.choice(PRODUCTS), n=rng.randint(2, 999))
            for _ in range(rng.randint(3, 6))
        ]
        out.append("".join(sentences))
    return out


@pytest.fixture
def index() -> OriginalityIndex:
    idx = OriginalityIndex()
    idx.add_many(POSTS.items())
    return idx


def test_identical_text_is_found_with_similarity_one(index: OriginalityIndex) -> None:
    matches = index.query(POSTS[3])
    assert [m.doc_id for m in matches] == [3]
    assert matches[0].similarity == 1.0
    assert matches[0].shared_spans == ((0, len(POSTS[3]) - 1),)  # all but the final 。


@pytest.mark.parametrize(
    "edited",
    [
        # two characters changed (each changed character breaks the k = 3 shingles over it)
        "【新品上市】智能手表X5今天正式开卖！续航14天，支持血氧检测，首批仅500台。评论区抽3位粉丝送手表🎉",
        # reformatted: full-width, spaces, other punctuation and emoji
        "新品上市 智能手表Ｘ５今天正式开售!!! 续航14天, 支持血氧监测, 首批仅500台... 评论区抽3位粉丝送手表😍😍",
        # sentences re-ordered and hashtags added
        "评论区抽3位粉丝送手表🎉续航14天，支持血氧监测，首批仅500台。【新品上市】智能手表X5今天正式开售！#新品首发# #抽奖#",
    ],
)
def test_lightly_edited_text_is_found(index: OriginalityIndex, edited: str) -> None:
    matches = index.query(edited)
    assert matches and matches[0].doc_id == 1
    assert matches[0].similarity == pytest.approx(jaccard(edited, POSTS[1]))
    assert matches[0].similarity >= 0.7
    assert len(matches) == 1
    # Shared passages are real passages of the query that the post also contains.
    for start, end in matches[0].shared_spans:
        assert normalize(edited[start:end]) in normalize(POSTS[1])


def test_unrelated_texts_are_not_found(index: OriginalityIndex) -> None:
    for text in UNRELATED:
        assert index.query(text) == []
    assert index.query("") == []
    assert index.query("😀😀！！") == []


def test_threshold_is_respected() -> None:
    base = "今天天气很好我们一起去公园散步吧顺便买一杯咖啡"
    idx = OriginalityIndex(threshold=0.6)
    variants = {i: base[: len(base) - i] + "新的结尾" * (i // 4) for i in range(0, 16)}
    idx.add_many(variants.items())
    query = base
    matches = idx.query(query, top_k=None)
    expected = {i for i, text in variants.items() if jaccard(query, text) >= 0.6}
    assert {m.doc_id for m in matches} == expected
    assert all(m.similarity >= 0.6 for m in matches)
    assert [m.similarity for m in matches] == sorted((m.similarity for m in matches), reverse=True)
    stricter = idx.query(query, top_k=None, threshold=0.8)
    assert {m.doc_id for m in stricter} == {i for i in expected if jaccard(query, variants[i]) >= 0.8}
    assert len(idx.query(query, top_k=2)) == 2
    with pytest.raises(ValueError):
        idx.query(query, threshold=0)
    with pytest.raises(ValueError):
        idx.query(query, top_k=0)


def test_exact_threshold_passes_despite_rounding() -> None:
    # 今天天气很好 vs 今天天气很棒: shared {今天天 天天气 天气很} of 5 distinct: 3/5 = 0.6.
    idx = OriginalityIndex(threshold=0.6, bands=32, rows=1)
    idx.add("a", "今天天气很好")
    assert jaccard("今天天气很棒", "今天天气很好") == pytest.approx(0.6)
    assert [m.doc_id for m in idx.query("今天天气很棒")] == ["a"]


def test_ties_prefer_the_earlier_post_and_exclude_works() -> None:
    idx = OriginalityIndex()
    idx.add_many([(10, POSTS[2]), (11, POSTS[2] + "！"), (12, POSTS[2])])
    assert [m.doc_id for m in idx.query(POSTS[2])] == [10, 11, 12]
    assert [m.doc_id for m in idx.query(POSTS[2], exclude={11, 99})] == [10, 12]


def test_short_texts() -> None:
    idx = OriginalityIndex()
    idx.add_many([("one", "好！"), ("two", "好吧"), ("emoji", "😀🎉"), ("three", "好吧啊")])
    assert [m.doc_id for m in idx.query("好")] == ["one"]
    assert [m.doc_id for m in idx.query("好吧！！")] == ["two"]
    assert [m.doc_id for m in idx.query("好吧啊")] == ["three"]
    assert idx.query("😀🎉") == []  # nothing to compare
    assert len(idx) == 4


def test_deterministic() -> None:
    posts = generated_posts(300)
    a, b = OriginalityIndex(), OriginalityIndex()
    a.add_many(enumerate(posts))
    for i, text in enumerate(posts):  # one at a time this time
        b.add(i, text)
    assert np.array_equal(a._sigs[: len(a)], b._sigs[: len(b)])
    assert a.to_bytes() == b.to_bytes()
    assert OriginalityIndex(seed=2).hasher.fingerprint() != a.hasher.fingerprint()
    assert [a.query(t, top_k=None) for t in posts[:20]] == [b.query(t, top_k=None) for t in posts[:20]]


def test_remove_and_replace(index: OriginalityIndex) -> None:
    assert index.remove(1) is True
    assert index.remove(1) is False
    assert 1 not in index and len(index) == 4
    assert index.query(POSTS[1]) == []
    index.add(2, POSTS[4])  # an existing id with a new text replaces the old one
    assert len(index) == 4
    assert [m.doc_id for m in index.query(POSTS[4])] == [4, 2]  # ties: the earlier-indexed first
    assert index.query(POSTS[2]) == []
    index.add(1, POSTS[1])
    assert [m.doc_id for m in index.query(POSTS[1])] == [1]
    assert index.doc_ids() == [3, 4, 5, 2, 1]


def test_duplicate_ids_in_one_batch_keep_the_last_text() -> None:
    idx = OriginalityIndex()
    idx.add_many([("x", POSTS[1]), ("y", POSTS[2]), ("x", POSTS[3])])
    assert len(idx) == 2
    assert idx.query(POSTS[1]) == []
    assert [m.doc_id for m in idx.query(POSTS[3])] == ["x"]


def test_compaction_keeps_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(orig, "TAIL_MAX", 500)  # also exercise merging the tail
    posts = generated_posts(3000, seed=9)
    idx = OriginalityIndex()
    for i, text in enumerate(posts[:200]):
        idx.add(i, text)
    idx.add_many((i, text) for i, text in enumerate(posts) if i >= 200)
    before = {i: idx.query(posts[i], top_k=None) for i in range(2000, 2050)}
    for i in range(2000):
        idx.remove(i)
    assert len(idx._ids) < 3000  # compacted
    assert len(idx) == 1000
    for i, matches in before.items():
        assert idx.query(posts[i], top_k=None) == [m for m in matches if int(m.doc_id) >= 2000]
    assert idx.doc_ids() == list(range(2000, 3000))


def test_recall_on_planted_near_duplicates() -> None:
    posts = generated_posts(4000, seed=11)
    idx = OriginalityIndex()
    idx.add_many(enumerate(posts))
    rng = random.Random(3)
    found = total = 0
    for source in rng.sample(range(len(posts)), 150):
        text = list(posts[source])
        for _ in range(2):
            text[rng.randrange(len(text))] = "的"
        edited = "".join(text) + " #好物推荐#"
        if jaccard(edited, posts[source]) >= 0.6:
            total += 1
            found += any(m.doc_id == source for m in idx.query(edited, top_k=None))
    assert total > 100
    assert found == total


@pytest.mark.parametrize("ids", [[1, 2, 3, 4, 5], ["a", "b", "c", "d", "e"], [1, "b", -3, "德", 2**40]])
def test_serialisation_round_trip(ids: list[orig.DocId]) -> None:
    idx = OriginalityIndex(threshold=0.5, seed=7)
    idx.add_many(zip(ids, POSTS.values(), strict=True))
    idx.remove(ids[4])
    blob = idx.to_bytes()
    again = OriginalityIndex.from_bytes(blob)
    assert (again.threshold, again.seed, again.bands, again.rows, again.k) == (0.5, 7, idx.bands, idx.rows, 3)
    assert again.doc_ids() == ids[:4]
    for text in [*POSTS.values(), *UNRELATED]:
        assert again.query(text) == idx.query(text)
    assert again.to_bytes() == blob
    again.add("new", UNRELATED[0])  # the loaded index keeps working
    assert [m.doc_id for m in again.query(UNRELATED[0])] == ["new"]


def test_empty_index_round_trip() -> None:
    again = OriginalityIndex.from_bytes(OriginalityIndex().to_bytes())
    assert len(again) == 0 and again.query(POSTS[1]) == []


def test_corrupt_bytes_are_refused(index: OriginalityIndex) -> None:
    blob = index.to_bytes()
    for bad in [
        b"",
        b"nonsense",
        blob[:-1] + bytes([blob[-1] ^ 1]),
        blob[:60],
        blob.replace(b'"k": 3', b'"k": 4'),
    ]:
        with pytest.raises(ValueError):
            OriginalityIndex.from_bytes(bad)


def test_loader_mode_asks_only_for_candidates() -> None:
    posts = generated_posts(2000, seed=13)
    asked: list[orig.DocId] = []

    def load(ids: Sequence[orig.DocId]) -> dict[orig.DocId, str]:
        asked.extend(ids)
        return {i: posts[i] for i in ids if isinstance(i, int) and i < len(posts)}

    stored = OriginalityIndex()
    stored.add_many(enumerate(posts))
    lazy = OriginalityIndex(text_loader=load, cache_size=50)
    lazy.add_many(enumerate(posts))
    assert lazy.memory_bytes()["shingle_sets"] < stored.memory_bytes()["shingle_sets"] // 100
    for text in posts[:40]:
        assert lazy.query(text, top_k=None) == stored.query(text, top_k=None)
    assert 0 < len(asked) < 40 * 50  # candidates only, never the whole index
    assert len(lazy._cache) <= 50
    # A document the caller no longer has is skipped, not an error.
    lazy.add(5000, "这是一条会被删除的帖子，内容足够长可以比较。")
    assert lazy.query("这是一条会被删除的帖子，内容足够长可以比较。") == []
    # Persisted without shingle sets: the loader is needed again.
    blob = lazy.to_bytes()
    with pytest.raises(ValueError):
        OriginalityIndex.from_bytes(blob)
    again = OriginalityIndex.from_bytes(blob, text_loader=load)
    assert again.query(posts[0], top_k=None) == stored.query(posts[0], top_k=None)


def test_memory_is_compact() -> None:
    posts = generated_posts(2000, seed=17)
    idx = OriginalityIndex()
    idx.add_many(enumerate(posts))
    parts = idx.memory_bytes()
    per_post = sum(parts.values()) / len(posts)
    assert parts["signatures"] <= 1.5 * 2000 * 128 * 4 + 64 * 512
    assert per_post < 3000  # signatures 512 B, buckets 264 B, shingle sets ≈ 8 B × distinct shingles


def test_invalid_arguments() -> None:
    with pytest.raises(ValueError):
        OriginalityIndex(threshold=1.5)
    with pytest.raises(ValueError):
        OriginalityIndex(bands=10)
    with pytest.raises(ValueError):
        OriginalityIndex(num_perm=64, bands=20, rows=4)
    idx = OriginalityIndex()
    with pytest.raises(TypeError):
        idx.add(1.5, "x")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        idx.add(True, "x")
    with pytest.raises(TypeError):
        idx.add(1, None)  # type: ignore[arg-type]


def test_unique_per_doc(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(1)
    counts = np.array([5, 0, 40, 1, 17], dtype=np.int64)
    codes = rng.integers(0, 30, int(counts.sum()), dtype=np.uint64)  # many duplicates
    expected = []
    at = 0
    for c in counts.tolist():
        expected.append(sorted(set(codes[at : at + c].tolist())))
        at += c

    def check() -> None:
        uniq, ucounts = orig._unique_per_doc(codes, counts)
        at = 0
        for want, c in zip(expected, ucounts.tolist(), strict=True):
            assert sorted(uniq[at : at + c].tolist()) == want
            at += c

    check()
    # Force the rare case: different codes of a document whose mixed keys collide.
    monkeypatch.setattr(orig, "mix64", lambda values: np.asarray(values, dtype=np.uint64) & np.uint64(3))
    check()


def test_loader_mode_with_a_cache_smaller_than_the_candidates() -> None:
    texts = {i: POSTS[3] + "！" * (i % 2) + str(i % 3) for i in range(30)}
    idx = OriginalityIndex(text_loader=lambda ids: {i: texts[int(i)] for i in ids}, cache_size=0)
    idx.add_many(texts.items())
    assert len(idx.query(POSTS[3], top_k=None)) == 30
    assert len(idx._cache) == 0


def test_a_refused_item_leaves_the_earlier_ones_searchable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(orig, "BATCH_DOCS", 2)
    idx = OriginalityIndex()
    with pytest.raises(TypeError):
        idx.add_many([(1, POSTS[1]), (2, POSTS[2]), (3.5, POSTS[3])])  # type: ignore[list-item]
    assert [m.doc_id for m in idx.query(POSTS[1])] == [1]
    assert 3.5 not in idx


@settings(max_examples=80, deadline=None)
@given(
    st.text(
        st.sampled_from(list("今天天气很好我们一起去公园散步吧新品上市手表，！")), min_size=1, max_size=40
    ),
    st.text(
        st.sampled_from(list("今天天气很好我们一起去公园散步吧新品上市手表，！")), min_size=1, max_size=40
    ),
)
def test_index_similarity_is_symmetric_and_bounded(a: str, b: str) -> None:
    one, other = OriginalityIndex(threshold=0.3), OriginalityIndex(threshold=0.3)
    one.add("a", a)
    other.add("b", b)
    forward = [m.similarity for m in one.query(b)]
    backward = [m.similarity for m in other.query(a)]
    assert forward == backward  # the same signatures, bands and exact score either way
    assert all(0.0 < s <= 1.0 for s in forward)
    if normalize(a):
        assert [m.similarity for m in one.query(a)] == [1.0]
