"""Offline sentiment and intent (socialops.textkit.sentiment) with the shipped model."""

from __future__ import annotations

import io
import socket
from typing import Any

import numpy as np
import pytest

from socialops.textkit import sentiment
from socialops.textkit.sentiment import (
    INTENTS,
    MARK_NEG,
    MARK_OTHER,
    MARK_POS,
    MARK_QUESTION,
    SentimentModel,
    classify,
    lexicon_hits,
    preprocess,
)


def test_done_means_example() -> None:
    c = classify("客服态度太差了，再也不买了")
    assert (c.sentiment, c.intent) == ("negative", "complaint")
    assert 0.0 <= c.score < 0.5


@pytest.mark.parametrize(
    "text",
    [
        "音质太好了，低音很有劲👍",
        "这家店的奶茶yyds[赞]",
        "客服小姐姐超耐心，五星好评",
        "真香！已经回购三次了",
    ],
)
def test_positive(text: str) -> None:
    assert classify(text).sentiment == "positive"


@pytest.mark.parametrize(
    "text",
    ["等了两个小时还没送到[怒]", "踩雷了，质量太差😡", "一点也不好吃，很失望", "无语，又坏了"],
)
def test_negative(text: str) -> None:
    assert classify(text).sentiment == "negative"


@pytest.mark.parametrize("text", ["请问几号发货？", "这款有黑色吗", "在吗"])
def test_neutral(text: str) -> None:
    assert classify(text).sentiment == "neutral"


def test_negation_flips_a_sentiment_word() -> None:
    assert classify("很满意，推荐").sentiment == "positive"
    assert classify("不满意，不推荐").sentiment == "negative"
    hits = {w: (weight, neg) for w, weight, neg in lexicon_hits(preprocess("一点都没有效果，不喜欢"))}
    assert hits["喜欢"][0] < 0 and hits["喜欢"][1] is True


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("这个多少钱？包邮吗", "question"),
        ("充电器是多少瓦的", "question"),
        ("发错货了，找客服也没人理", "complaint"),
        ("用了一个月皮肤好多了，爱了爱了", "praise"),
        ("求链接！", "purchase"),
        ("已下单，坐等发货", "purchase"),
        ("周末愉快呀", "other"),
    ],
)
def test_intent(text: str, intent: str) -> None:
    assert classify(text).intent == intent


def test_preprocess_emoticons_emoji_width_repeats() -> None:
    assert preprocess("[哈哈][怒][疑问][不存在的表情]") == MARK_POS + MARK_NEG + MARK_QUESTION + MARK_OTHER
    assert preprocess("😂👍🏻😡") == MARK_POS + MARK_POS + MARK_NEG
    assert preprocess("ＹＹＤＳ！！！！ 哈哈哈哈哈 199元") == "yyds!!哈哈0元"


def test_emoticon_alone_decides_the_polarity() -> None:
    assert classify("[哈哈][哈哈]").score > classify("[怒][怒]").score


def test_artifact_loads_without_network(monkeypatch: Any) -> None:
    def no_network(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("network access")

    monkeypatch.setattr(socket, "socket", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(sentiment, "_model", None)
    model = sentiment.get_model()
    assert model.intent_w is not None and model.intent_w.shape == (len(INTENTS), model.dim)
    assert model.neu_w is not None
    assert classify("好评").sentiment == "positive"


def test_save_and_load_round_trip() -> None:
    rng = np.random.default_rng(0)
    model = SentimentModel(
        dim=64,
        sent_w=rng.normal(size=64).astype(np.float32),
        sent_b=0.1,
        alpha=0.3,
        intent_w=rng.normal(size=(5, 64)).astype(np.float32),
        intent_b=np.zeros(5),
    )
    buffer = io.BytesIO()
    model.save(buffer)
    buffer.seek(0)
    loaded = SentimentModel.load(buffer)
    assert loaded.dim == 64 and loaded.neu_w is None and loaded.alpha == pytest.approx(0.3)
    assert loaded.classify("不错").as_dict()["score"] == pytest.approx(model.classify("不错").score, abs=1e-2)


# Hand-written Weibo-style comments: short, informal, with 表情 codes, emoji and 网络用语 that the
# review corpora never contain (none of them is in the intent set either).
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("笑死我了[哈哈]太好用了", "positive"),
        ("什么破玩意儿[怒]", "negative"),
        ("yyds！", "positive"),
        ("绝绝子", "positive"),
        ("咱就是说，一整个爱住了", "positive"),
        ("tql！！", "positive"),
        ("家人们谁懂啊，踩雷了", "negative"),
        ("emo了，快递又丢了[泪]", "negative"),
        ("这也太离谱了吧😅", "negative"),
        ("大冤种本种", "negative"),
        ("👍👍", "positive"),
        ("😡😡😡", "negative"),
    ],
)
def test_weibo_style_sentiment(text: str, expected: str) -> None:
    assert classify(text).sentiment == expected


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("笑死我了[哈哈]太好用了", "praise"),
        ("什么破玩意儿[怒]", "complaint"),
        ("客服回复了吗？[疑问]", "question"),
    ],
)
def test_weibo_style_intent(text: str, intent: str) -> None:
    assert classify(text).intent == intent


def test_weibo_markers_and_slang_reach_the_lexicon() -> None:
    t = preprocess("笑死我了[哈哈]太好用了！！！")
    assert MARK_POS in t and t.endswith("!!")
    words = {w for w, _, _ in lexicon_hits(t)}
    assert {"笑死", MARK_POS, "好用"} <= words
    assert {w for w, _, _ in lexicon_hits(preprocess("绝绝子yyds"))} == {"绝绝子", "yyds"}
    assert [w for w, weight, _ in lexicon_hits(preprocess("什么破玩意儿[怒]")) if weight < 0] == [
        "破",
        MARK_NEG,
    ]
