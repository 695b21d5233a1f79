"""Offline Chinese sentiment (positive / neutral / negative + score) and intent of short messages.

Pure numpy at run time, no network: a small linear model over hashed features, shipped as
``data/sentiment_model.npz`` and trained by ``scripts/train_sentiment.py`` (fixed seed; see
docs/sentiment.md for the data, the figures and the limits).

Pipeline of one message:

1. ``preprocess``: NFKC + casefold (full/half width, see ``normalize.fold``); Weibo 表情 codes
   such as ``[哈哈]`` ``[怒]`` and emoji such as 😂 😡 👍 become one of four marker characters
   (positive / negative / question / other emoticon); digit runs become ``0``; a character
   repeated three times or more is cut to two (``！！！！`` → ``！！``, ``哈哈哈哈`` → ``哈哈``);
   whitespace is dropped.
2. ``lexicon_hits``: a small hand-written lexicon of sentiment words and 网络用语 (yyds, 绝绝子,
   无语, 踩雷, 种草 …), longest match first; a negator (不 没 别 无 未 …) up to two characters
   before a word flips it (不满意, 没什么效果, 不贵).
3. ``features``: character 1–3-grams of the text between start/end markers, the lexicon words
   (``W:`` / ``N:`` for negated ones) and two lexicon totals, hashed (CRC-32) into ``dim``
   buckets, L2-normalised.
4. Sentiment: logistic regression on the features scaled by naive-Bayes log-count ratios (NB-LR;
   the ratios are folded into the stored weights, so it is one dot product here), plus the
   lexicon prior added to its logit z: ``alpha × lexicon score × exp(−|z| / tau)`` — the
   hand-written lexicon counts most where the learned model is unsure (text unlike its training
   data: emoticons and slang the reviews never contain, another domain). ``score`` =
   P(positive). Neutral rule: see ``SentimentModel.sentiment``.
5. Intent: multinomial logistic regression (question, complaint, praise, purchase, other).
"""

from __future__ import annotations

import math
import re
import threading
import zlib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import IO, Any

import numpy as np

from .normalize import fold

SENTIMENTS = ("negative", "neutral", "positive")
INTENTS = ("question", "complaint", "praise", "purchase", "other")

#: Marker characters (Unicode private use area) that stand for an emoticon or emoji.
MARK_POS = "\ue000"
MARK_NEG = "\ue001"
MARK_QUESTION = "\ue002"
MARK_OTHER = "\ue003"
BOS = "\x02"
EOS = "\x03"

_POS, _NEG, _Q, _O = "+", "-", "?", "o"


def _words(text: str) -> list[str]:
    return text.split()


#: Common Weibo 表情 codes (the text between the brackets, casefolded) → kind.
WEIBO_EMOTICONS: dict[str, str] = {
    **dict.fromkeys(
        _words(
            "哈哈 偷笑 嘻嘻 爱你 心 赞 good 鼓掌 太开心 可爱 亲亲 色 花心 耶 笑cry 笑哈哈 馋嘴 憧憬 "
            "舔屏 给力 威武 打call 送花花 赞啊 加油 好运 锦鲤 太阳 握手 ok 作揖 给你小心心 哇 "
            "好喜欢 心动 酷 棒棒 666 奥特曼 愛你 互粉 求关注 礼物 蛋糕 玫瑰 干杯 赞赞 抱抱 羞嗒嗒 "
            "害羞 开心 微风 鲜花 月亮 兔子 doge 二哈 喵喵"
        ),
        _POS,
    ),
    **dict.fromkeys(
        _words(
            "泪 怒 抓狂 衰 生病 吐 晕 哼 鄙视 白眼 失望 悲伤 委屈 怒骂 汗 挖鼻 跪了 伤心 裂开 弱 "
            "no 黑线 苦涩 可怜 困 哈欠 吃惊 傻眼 允悲 左哼哼 右哼哼 闭嘴 骷髅 心碎 伤心 哭 大哭 "
            "悲催 无聊 打脸 吐血 单身狗 淚 怒罵 酸 ok吧 拜拜 摊手 失望"
        ),
        _NEG,
    ),
    **dict.fromkeys(_words("疑问 思考 费解 问号 并不简单 ?"), _Q),
}

#: Emoji → kind (variation selectors and skin tones are dropped first).
EMOJI: dict[str, str] = {
    **dict.fromkeys(
        "😀😃😄😁😆😊☺🙂😉😍🥰😘😗😙😚😋😛😜🤪😝🤗🤩🥳😎👍👏🙌💯❤♥💕💖💗💓💞💘💝🧡💛💚💙💜"
        "🎉🎊✨🌟⭐🔥💪🌹💐🌸👌🤝😂🤣😹🆗✅🏆🥇🎁🍻😻☀🌞",
        _POS,
    ),
    **dict.fromkeys(
        "😞😔😟😕🙁☹😣😖😫😩🥺😢😭😤😠😡🤬💢👎😒🙄😑😐😬😓😰😨😱😵🤢🤮🤧😷💔😪😿🙃😅🤡💩❌⚠",
        _NEG,
    ),
    **dict.fromkeys("🤔❓❔⁉🧐", _Q),
}

#: Sentiment words and 网络用语 with a polarity weight (casefolded; matched longest first).
LEXICON: dict[str, float] = {
    # 网络用语
    "yyds": 2.0, "绝绝子": 2.0, "绝了": 1.5, "真香": 1.5, "种草": 1.0, "拔草": -0.5, "踩雷": -2.0,
    "避雷": -2.0, "翻车": -2.0, "拉胯": -2.0, "智商税": -2.0, "无语": -1.5, "离谱": -1.5,
    "破防": -1.0, "裂开": -1.5, "吐了": -1.5, "会谢": -1.5, "一言难尽": -1.5, "割韭菜": -2.0,
    "韭菜": -1.0, "照骗": -2.0, "买了个寂寞": -2.0, "闭眼入": 1.5, "闭眼买": 1.5, "冲冲冲": 1.0,
    "爱了": 2.0, "打call": 1.5, "宝藏": 1.5, "良心": 1.5, "吹爆": 2.0, "安利": 1.0, "回购": 1.5,
    "无限回购": 2.0, "666": 1.5, "牛逼": 1.5, "牛x": 1.5, "nb": 1.0, "awsl": 1.5, "好评": 2.0,
    "差评": -2.0, "劝退": -2.0, "退钱": -2.0, "坑爹": -2.0, "辣鸡": -2.0, "垃圾": -2.0,
    "心累": -1.5, "崩溃": -1.5, "emo": -1.0, "蚌埠住": -0.5, "服了": -1.0, "醉了": -1.0,
    "呵呵": -1.0, "笑死": 1.0, "治愈": 1.5, "天花板": 1.5, "封神": 2.0, "顶": 0.5, "太顶了": 2.0,
    # general positive
    "好吃": 1.5, "好用": 1.5, "好看": 1.5, "好喝": 1.5, "好听": 1.5, "喜欢": 1.5, "满意": 1.5,
    "推荐": 1.0, "不错": 1.5, "挺好": 1.5, "很好": 1.5, "真好": 1.5, "太好了": 2.0, "方便": 1.0,
    "干净": 1.0, "舒服": 1.5, "舒适": 1.5, "划算": 1.5, "实惠": 1.5, "值得": 1.5, "给力": 1.5,
    "精致": 1.0, "专业": 1.0, "热情": 1.5, "耐心": 1.5, "周到": 1.5, "贴心": 1.5, "新鲜": 1.0,
    "准时": 1.0, "及时": 1.0, "快速": 1.0, "很快": 1.0, "流畅": 1.0, "清晰": 1.0, "美味": 1.5,
    "香": 0.5, "赞": 1.5, "棒": 1.5, "完美": 2.0, "惊喜": 1.5, "开心": 1.5, "感谢": 1.0,
    "谢谢": 1.0, "支持": 0.5, "漂亮": 1.5, "美": 1.0, "可爱": 1.0, "优秀": 1.5, "超值": 1.5,
    "性价比高": 1.5, "物美价廉": 2.0, "放心": 1.0, "靠谱": 1.5, "稳": 0.5, "值": 1.0,
    "没问题": 1.0, "满分": 2.0, "五星": 1.5, "惊艳": 1.5, "愉快": 1.5, "快乐": 1.0, "幸福": 1.5,
    "温和": 1.0, "细腻": 1.0, "滋润": 1.0, "显白": 1.0, "实用": 1.0, "安静": 1.0, "省心": 1.5,
    "满足": 1.0, "地道": 1.0, "入味": 1.0, "分量足": 1.5, "量大": 1.0, "便宜": 1.0, "优惠": 0.5,
    # general negative
    "差": -1.5, "太差": -2.0, "很差": -2.0, "极差": -2.0, "坑": -1.5, "失望": -2.0, "难吃": -2.0,
    "难用": -2.0, "难看": -1.5, "难喝": -2.0, "慢": -1.0, "太慢": -1.5, "贵": -1.0, "太贵": -1.5,
    "脏": -1.5, "吵": -1.5, "骗": -2.0, "骗子": -2.0, "假货": -2.0, "投诉": -1.5, "恶心": -2.0,
    "坏": -1.0, "坏了": -1.5, "破": -1.0, "烂": -1.5, "后悔": -2.0, "敷衍": -1.5, "傲慢": -1.5,
    "恶劣": -2.0, "凉": -0.5, "凉了": -1.0, "冷了": -1.0, "咸": -1.0, "油腻": -1.0, "难受": -1.5,
    "糟糕": -2.0, "问题": -0.5, "故障": -1.5, "退货": -1.0, "退款": -1.0, "卡顿": -1.5,
    "发烫": -1.0, "异味": -1.5, "过期": -1.5, "漏": -1.0, "拖": -1.0, "不值": -1.5, "浪费": -1.5,
    "生气": -1.5, "气死": -2.0, "烦": -1.5, "累": -1.0, "痛苦": -1.5, "可惜": -1.0, "遗憾": -1.0,
    "郁闷": -1.5, "不行": -1.5, "不好": -1.5, "一般": -0.5, "凑合": -0.5, "勉强": -0.5,
    "虚假": -2.0, "欺骗": -2.0, "忽悠": -2.0, "过分": -1.5, "寒心": -2.0, "不满": -1.5,
    "没人理": -2.0, "不理": -1.5, "不回": -1.0, "太坑": -2.0, "偷工减料": -2.0, "缩水": -1.5,
    "掉色": -1.5, "起球": -1.0, "过敏": -1.5, "拉肚子": -2.0, "头发": -0.5, "变质": -2.0,
    "腥": -1.0, "臭": -1.5, "酸了": -0.5, "延误": -1.5, "晚点": -1.0, "丢件": -1.5, "破损": -1.5,
    "再也不": -2.0, "不会再": -1.5, "别买": -2.0, "千万别": -2.0, "不推荐": -2.0,
    # service and delivery (waiting, missing items) — common in comments and DMs to a brand
    "超时": -1.5, "等了": -1.0, "少送": -1.5, "漏送": -1.5, "送错": -1.5, "发错": -1.5,
    "还没到": -1.5, "还没送": -1.5, "还没发": -1.5, "没送": -1.0, "打不通": -1.5, "没法": -1.0,
    "太咸": -1.5, "太辣": -1.0, "太油": -1.5, "难闻": -1.5, "洒了": -1.0, "撒了": -1.0,
    "少了": -1.0, "差劲": -2.0, "陈旧": -1.0, "破旧": -1.5, "发霉": -1.5, "噪音": -1.0,
    "潮湿": -1.0, "蚊子": -1.0, "蟑螂": -2.0, "根本": -1.0, "居然": -0.5, "竟然": -0.5,
    "怎么回事": -1.0, "快点": -0.3, "下次不": -1.5, "不会再来": -2.0,
    "快": 0.5, "快递": 0.0, "尽快": 0.0, "热乎": 1.0, "还会再": 1.5, "下次还": 1.5,
    "一如既往": 1.5, "超赞": 2.0, "很棒": 2.0, "辛苦": 0.5, "便利": 1.0, "宽敞": 1.0,
    "温馨": 1.5, "到位": 1.0, "很香": 1.5, "赞赞": 2.0,
    # more 网络用语 and pinyin initials common in Weibo comments
    "tql": 2.0, "xswl": 1.0, "yygq": -1.5, "爱住": 2.0, "爱死": 2.0, "冤种": -1.5, "血亏": -2.0,
    "血赚": 1.5, "泰裤辣": 2.0, "太可了": 1.5, "一生推": 2.0, "狂喜": 1.5, "上头": 1.0,
    "拿捏": 1.0, "不戳": 1.5, "阔以": 1.0, "神仙": 1.5, "回血": 1.0, "下头": -1.5, "避坑": -1.5,
    "坑人": -2.0, "栓q": -1.0, "无力吐槽": -1.5, "吐槽": -0.5, "心塞": -1.5, "扎心": -1.0,
    "呜呜": -1.0, "慎入": -1.5, "慎买": -2.0, "降智": -1.5, "鸡肋": -1.5, "麻了": -1.0,
    "yue": -1.5, "emm": -0.5,
}  # fmt: skip

NEGATORS = ("不", "没", "别", "无", "未", "非", "甭", "勿")
#: Words that start with a negator but are not negations of what follows.
_NOT_NEGATING = ("不过", "不少", "无论", "非常", "没想到", "不管", "不仅", "不但", "无敌", "不得不")
_LEX_MAXLEN = max(len(w) for w in LEXICON)

_EMOTICON_RE = re.compile(r"\[([^\[\]\s]{1,8})\]")
_DIGITS_RE = re.compile(r"\d+(?:\.\d+)?")
_REPEAT_RE = re.compile(r"(.)\1{2,}")
_SPACE_RE = re.compile(r"\s+")
_DROP = dict.fromkeys(map(ord, "\ufe0f\ufe0e\u200d\U0001f3fb\U0001f3fc\U0001f3fd\U0001f3fe\U0001f3ff"))
_MARK_OF_KIND = {_POS: MARK_POS, _NEG: MARK_NEG, _Q: MARK_QUESTION, _O: MARK_OTHER}
#: Lexicon weight of one emoticon / emoji of each kind.
_EMOTICON_WEIGHT = {MARK_POS: 1.5, MARK_NEG: -1.5}
_LEX_CLIP = 4.0


def preprocess(text: str) -> str:
    """The normalised text the features are computed on (see the module docstring)."""
    t = fold(text).translate(_DROP)

    def emoticon(m: re.Match[str]) -> str:
        return _MARK_OF_KIND[WEIBO_EMOTICONS.get(m.group(1), _O)]

    t = _EMOTICON_RE.sub(emoticon, t)
    t = "".join(_MARK_OF_KIND[EMOJI[c]] if c in EMOJI else c for c in t)
    t = _DIGITS_RE.sub("0", t)
    t = _REPEAT_RE.sub(r"\1\1", t)
    return _SPACE_RE.sub("", t)


def lexicon_hits(t: str) -> list[tuple[str, float, bool]]:
    """(word, signed weight, negated) for every lexicon word and emoticon marker of preprocessed ``t``."""
    hits: list[tuple[str, float, bool]] = []
    i, n = 0, len(t)
    while i < n:
        ch = t[i]
        if ch in _EMOTICON_WEIGHT:
            hits.append((ch, _EMOTICON_WEIGHT[ch], False))
            i += 1
            continue
        for length in range(min(_LEX_MAXLEN, n - i), 0, -1):
            word = t[i : i + length]
            weight = LEXICON.get(word)
            if weight is not None:
                negated = _negated(t, i) and word[0] not in NEGATORS
                if negated:
                    # 不满意 → negative; 不贵 / 没问题-like reversals of a negative word are weaker.
                    weight = -weight if weight > 0 else -0.5 * weight
                hits.append((word, weight, negated))
                i += length
                break
        else:
            i += 1
    return hits


def _negated(t: str, i: int) -> bool:
    """True when a negator stands at most two characters before position ``i``."""
    window = t[max(0, i - 3) : i]
    for k in range(len(window) - 1, -1, -1):
        if window[k] in NEGATORS:
            rest = t[max(0, i - 3) + k : i + 2]
            return not rest.startswith(_NOT_NEGATING)
        if not ("\u4e00" <= window[k] <= "\u9fff"):
            return False  # punctuation ends the negation's scope
        if len(window) - k >= 2:
            return False
    return False


def lexicon_score(hits: list[tuple[str, float, bool]]) -> float:
    """Sum of the hits' weights, clipped to ±4."""
    s = sum(w for _, w, _ in hits)
    return max(-_LEX_CLIP, min(_LEX_CLIP, s))


def feature_strings(text: str) -> tuple[list[str], float]:
    """The feature names of ``text`` (before hashing) and its lexicon score."""
    t = preprocess(text)
    hits = lexicon_hits(t)
    s = BOS + t + EOS
    n = len(s)
    feats = [s[i : i + k] for k in (1, 2, 3) for i in range(n - k + 1)]
    feats.extend(("N:" if neg else "W:") + w for w, _, neg in hits)
    pos = sum(w for _, w, _ in hits if w > 0)
    neg = -sum(w for _, w, _ in hits if w < 0)
    feats.extend(["LEX+"] * min(4, round(pos)))
    feats.extend(["LEX-"] * min(4, round(neg)))
    return feats, lexicon_score(hits)


def hash_features(feats: list[str], dim: int) -> tuple[np.ndarray, np.ndarray]:
    """(bucket indices, L2-normalised counts) of feature names hashed into ``dim`` buckets."""
    counts: dict[int, int] = {}
    for f in feats:
        h = zlib.crc32(f.encode("utf-8")) % dim
        counts[h] = counts.get(h, 0) + 1
    idx = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
    val = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
    val = np.sqrt(val)  # sublinear counts
    norm = float(np.sqrt((val * val).sum())) or 1.0
    return idx, val / norm


def vectorize(text: str, dim: int) -> tuple[np.ndarray, np.ndarray, float]:
    """(indices, values, lexicon score) of one text."""
    feats, lex = feature_strings(text)
    idx, val = hash_features(feats, dim)
    return idx, val, lex


@dataclass(frozen=True, slots=True)
class Classification:
    """Sentiment label, P(positive) and intent of one message."""

    sentiment: str
    score: float
    intent: str

    def as_dict(self) -> dict[str, Any]:
        return {"sentiment": self.sentiment, "score": round(self.score, 3), "intent": self.intent}


@dataclass(frozen=True)
class SentimentModel:
    """Weights of the three linear models and the decision constants.

    Neutral rule (``sentiment``): the message is neutral when the social neutral-vs-polar model
    gives P(neutral) ≥ ``neutral_threshold`` and the lexicon score is weaker than ±``lex_override``
    (a clear sentiment word or emoticon overrides it), or when P(positive) falls inside ``band``;
    otherwise positive if P(positive) ≥ 0.5, else negative.
    """

    dim: int
    sent_w: np.ndarray
    sent_b: float
    alpha: float
    neu_w: np.ndarray | None = None
    neu_b: float = 0.0
    intent_w: np.ndarray | None = None
    intent_b: np.ndarray | None = None
    tau: float = 2.0
    band: tuple[float, float] = (0.4, 0.6)
    neutral_threshold: float = 0.5
    lex_override: float = 2.0

    # -- scores ----------------------------------------------------------------------------
    def p_positive(self, idx: np.ndarray, val: np.ndarray, lex: float, *, prior: bool = True) -> float:
        z = float(self.sent_w[idx] @ val) + self.sent_b
        if prior:
            z += self.alpha * lex * math.exp(-abs(z) / self.tau)
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def p_neutral(self, idx: np.ndarray, val: np.ndarray) -> float:
        if self.neu_w is None:
            return 0.0
        z = float(self.neu_w[idx] @ val) + self.neu_b
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def intent_probs(self, idx: np.ndarray, val: np.ndarray) -> np.ndarray:
        if self.intent_w is None or self.intent_b is None:
            out = np.zeros(len(INTENTS))
            out[INTENTS.index("other")] = 1.0
            return out
        z = self.intent_w[:, idx] @ val + self.intent_b
        z = np.exp(z - z.max())
        return z / z.sum()

    def sentiment(self, p: float, p_neu: float, lex: float) -> str:
        """The label from P(positive), P(neutral) and the lexicon score (the neutral rule)."""
        if (p_neu >= self.neutral_threshold and abs(lex) < self.lex_override) or (
            self.band[0] < p < self.band[1]
        ):
            return "neutral"
        return "positive" if p >= 0.5 else "negative"

    def classify(self, text: str) -> Classification:
        idx, val, lex = vectorize(text, self.dim)
        p = self.p_positive(idx, val, lex)
        label = self.sentiment(p, self.p_neutral(idx, val), lex)
        intent = INTENTS[int(np.argmax(self.intent_probs(idx, val)))]
        return Classification(label, p, intent)

    # -- storage ---------------------------------------------------------------------------
    def save(self, path: str | Path | IO[bytes]) -> None:
        """Write the weights (float16) and constants as a compressed .npz file."""
        arrays: dict[str, Any] = {
            "dim": np.array(self.dim),
            "sent_w": self.sent_w.astype(np.float16),
            "consts": np.array(
                [
                    self.sent_b,
                    self.alpha,
                    self.tau,
                    self.neu_b,
                    *self.band,
                    self.neutral_threshold,
                    self.lex_override,
                ]
            ),
        }
        if self.neu_w is not None:
            arrays["neu_w"] = self.neu_w.astype(np.float16)
        if self.intent_w is not None and self.intent_b is not None:
            arrays["intent_w"] = self.intent_w.astype(np.float16)
            arrays["intent_b"] = self.intent_b.astype(np.float64)
        np.savez_compressed(path, **arrays)

    @classmethod
    def load(cls, path: str | Path | IO[bytes]) -> SentimentModel:
        with np.load(path, allow_pickle=False) as data:
            sent_b, alpha, tau, neu_b, lo, hi, thr, override = (float(x) for x in data["consts"])
            return cls(
                dim=int(data["dim"]),
                sent_w=data["sent_w"].astype(np.float32),
                sent_b=sent_b,
                alpha=alpha,
                tau=tau,
                neu_w=data["neu_w"].astype(np.float32) if "neu_w" in data else None,
                neu_b=neu_b,
                intent_w=data["intent_w"].astype(np.float32) if "intent_w" in data else None,
                intent_b=data.get("intent_b"),
                band=(lo, hi),
                neutral_threshold=thr,
                lex_override=override,
            )


MODEL_FILE = "sentiment_model.npz"
_lock = threading.Lock()
_model: SentimentModel | None = None


def get_model() -> SentimentModel:
    """The shipped model, loaded from the package data on first use."""
    global _model
    if _model is None:
        with _lock:
            if _model is None:
                ref = resources.files("socialops.textkit").joinpath("data", MODEL_FILE)
                with ref.open("rb") as fh:
                    _model = SentimentModel.load(fh)
    return _model


def classify(text: str) -> Classification:
    """Sentiment and intent of one message with the shipped model."""
    return get_model().classify(text)
