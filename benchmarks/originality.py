"""Benchmark of the originality index (R2.7): 1,000,000 Chinese posts, MinHash LSH vs exact Jaccard.

Run: `.venv/bin/python benchmarks/originality.py` (default 1,000,000 posts; `--docs 50000` for a
quick run). Everything is generated deterministically from `--seed`:

* the corpus: posts of 3–7 sentences drawn from a pool of sentences filled from ~60 templates
  (products, features, prices, dates, cities, events…), with hashtags and emoji; 2% of the posts
  are reposts of an earlier post with an edit (as real accounts do);
* planted queries: edited copies of indexed posts — light character edits, re-ordered
  sentences, added hashtags and emoji, full-width/punctuation/spacing changes, one sentence
  swapped, and combinations — whose exact similarity to their source is measured;
* fresh queries: new posts from the same generator, not in the index.

Prints the index build time, query latency p50/p99 (one query at a time, as the editor asks),
memory (peak RSS and the index's own arrays), recall on the planted pairs at or above the
threshold, and an exact-Jaccard brute-force baseline on a sample (first `--sample` posts ×
`--baseline-queries` queries) in the same run: its time per query and the agreement of the
index's answers with the exact answers above the threshold.
"""

from __future__ import annotations

import argparse
import csv
import gc
import os
import resource
import sys
import time
import zlib
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from socialops.textkit.originality import (  # noqa: E402
    OriginalityIndex,
    collision_probability,
    s_curve_midpoint,
)
from socialops.textkit.shingles import jaccard, normalize, shingle_set  # noqa: E402

# ---------------------------------------------------------------------------------------------
# Vocabulary and templates


def words(text: str) -> list[str]:
    """The space-separated words of ``text`` (keeps the vocabulary lists readable)."""
    return text.split()


PREFIXES = words(
    "智能 轻薄 便携 无线 专业 迷你 旗舰 经典 全新 家用 户外 商务 静音 大容量 高清 护眼 有机 低糖 速干 恒温"
)
NOUNS = words(
    "手表 耳机 音箱 台灯 咖啡机 空气净化器 扫地机器人 保温杯 面霜 面膜 跑鞋 背包 行李箱 电饭煲 "
    "吹风机 投影仪 键盘 鼠标 显示器 充电宝 电动牙刷 剃须刀 加湿器 榨汁机 烤箱 瑜伽垫 帐篷 茶具 "
    "精华液 防晒霜 洗发水 沐浴露 燕麦片 坚果礼盒 绿茶 酸奶 牛奶 巧克力"
)
MODELS = words("X1 X5 Pro Air Max Lite S2 2025款 青春版 旗舰版 Plus mini 二代 三代 Ultra")
FEATURES = words(
    "超长续航 一键快充 主动降噪 防水防汗 轻至一百克 静音设计 智能温控 高清大屏 人体工学 "
    "可折叠收纳 无线连接 语音控制 长效保湿 温和不刺激 零添加 低脂高蛋白 原产地直采 "
    "三重过滤 四档调节 大容量电池 双频连接 蓝光过滤 一机多用 极速出水 恒温保鲜 抗菌材质"
)
CITIES = words(
    "北京 上海 广州 深圳 杭州 成都 重庆 武汉 西安 南京 苏州 天津 长沙 郑州 青岛 厦门 宁波 "
    "合肥 福州 昆明 大连 沈阳 济南 哈尔滨 南宁 贵阳 石家庄 太原 南昌 兰州"
)
EVENTS = words(
    "新品发布会 直播间 粉丝见面会 读书会 线下快闪店 周年庆 会员日 开学季活动 年货节 "
    "品牌日 体验课 公益跑 寻味之旅 设计师沙龙 亲子工作坊 技术分享会 夏日音乐节 露营市集"
)
ADJS = words(
    "好看 好用 轻便 耐用 安静 稳定 顺滑 清爽 细腻 贴心 实惠 高级 小巧 结实 便宜 靠谱 省心 "
    "舒服 惊艳 百搭 高效 简单 干净 温暖 可爱 专业 精致 耐看"
)
USERS = words(
    "宝妈 打工人 学生党 上班族 健身达人 数码爱好者 咖啡控 旅行博主 新手爸爸 设计师 程序员 老师 护士 铲屎官 露营爱好者"
)
TOPICS = words(
    "好物推荐 新品首发 开箱测评 生活小妙招 周末去哪儿 打工人日常 家居好物 数码测评 护肤心得 "
    "健身打卡 美食探店 旅行攻略 亲子时光 读书笔记 职场干货 环保生活 春季上新 双十一 年货节 "
    "618 抽奖 粉丝福利 用户故事 品牌故事 幕后花絮 今日份快乐 每日一问 科普时间 冷知识 节日快乐"
)
TIMES = words("今晚八点 明天上午十点 本周五 这个周末 下周一 月底 国庆期间 中秋当天 元旦假期 今天中午")
CALLS = words("家人们 姐妹们 朋友们 小伙伴们 各位粉丝 亲爱的用户 宝子们 大家")
EMOJI = words("😀 😂 🥰 😍 👍 🎉 🔥 ✨ 💪 🙏 ❤️ 🌟 📣 🎁 🛒 ☕ 🌸 😭 🤔 👏")
TEMPLATES = [
    "{c}，{p}终于来啦！",
    "这次的{p}主打{f}，{a}又{a2}。",
    "{m}月{d}日起，{city}门店同步开售，首批仅{n}台。",
    "评论区抽{n}位粉丝送{p}，{t}开奖。",
    "很多{u}问我们{p}值不值得买，今天统一回复一下。",
    "{p}的{f}到底怎么样？我们连续测了{n}天。",
    "{t}我们在{city}的{e}见，现场还有{p}体验区。",
    "用了{n}天{p}，最大的感受就是{a}。",
    "{u}必备的{p}，{f}真的太{a}了。",
    "原价{n}元，{t}下单立减{n2}元。",
    "{p}已经卖出{n}万件，谢谢{c}的支持！",
    "有{u}反馈{p}的包装不够{a}，我们已经在改进了。",
    "关于{p}的{f}，研发团队做了{n}次测试。",
    "{city}的{c}注意啦，{e}报名通道已开启。",
    "想知道{p}怎么选？看这一篇就够了。",
    "今天给大家分享{n}个{p}的使用小技巧。",
    "第{n}期{e}圆满结束，感谢{n2}位朋友到场。",
    "{p}和上一代相比，{f}提升了{n}%。",
    "{t}直播间会讲解{p}的{f}，记得预约。",
    "我们的客服团队{t}在线，有问题随时留言。",
    "这款{p}适合{u}，也适合送给家人。",
    "{m}月的{e}主题是{topic}，欢迎投稿。",
    "晒出你和{p}的合照，就有机会获得{n}元优惠券。",
    "{p}支持{n}天无理由退换，售后有保障。",
    "为什么{p}这么{a}？答案藏在{f}里。",
    "{c}最喜欢{p}的哪个颜色？评论区告诉我们。",
    "{city}仓库已经发货，预计{n}天内送达。",
    "感谢{u}{name}的真实分享，{p}确实很{a}。",
    "{f}听起来很复杂，其实原理很简单。",
    "{p}今天补货{n}件，手慢无！",
    "下单{p}即送{p2}一份，数量有限。",
    "{e}的门票还剩最后{n}张。",
    "来自{city}的{u}说：{p}让生活{a}了很多。",
    "我们在{p}的设计上花了{n}个月，只为做到{a}。",
    "你们期待的{topic}合集来了！",
    "{t}起，{p}全系列参加满{n}减{n2}活动。",
    "这是{p}的第{n}次升级，{f}全面优化。",
    "{u}每天都在用的{p}，你入手了吗？",
    "注意：{p}的官方渠道只有旗舰店和线下门店。",
    "{city}站的{e}，我们一起{a2}地度过了一个下午。",
    "一张图看懂{p}的{f}。",
    "你知道吗？{p}的{f}来自{n}位工程师的努力。",
    "{c}的每一条留言我们都认真看了，谢谢你们。",
    "{topic}｜{p}实测报告出炉。",
    "{p}的使用寿命长达{n}年，平均每天不到{n2}毛钱。",
    "今年{e}一共来了{n}位朋友，明年见！",
    "{p}获得了{n}项专利，{f}行业领先。",
    "如果你是{u}，{p}一定要试试。",
    "{t}，{city}和{city2}同步开启{e}。",
    "我们准备了{n}份小礼物，转发本条即可参与。",
    "买{p}前先看看{u}的真实评价。",
    "{p}采用{f}技术，使用起来{a}又{a2}。",
    "{topic}：{n}个你可能不知道的{p}冷知识。",
    "从{city}到{city2}，{p}陪{u}走过了{n}公里。",
    "{c}久等了，{p}的{f}版本正式上线。",
    "感谢{n}万粉丝一路陪伴，{e}见！",
    "今天的{topic}话题，聊聊{u}的{a}日常。",
    "本条微博点赞过{n}，明天就公布{p}的价格。",
    "{p}清洁保养只需要{n}分钟。",
    "{e}现场的照片已经上传，快来找找自己。",
]
NAMES = words("小王 小李 阿杰 米粒 大橙子 小鹿 阿文 可乐 七七 老张 小雨 豆豆 阿宁 木木 小夏")
EDIT_CHARS = "的了是很也都还就在有这那个们我你他她它不没好大小多少新老真太更最又再"
SENTENCE_END = "。！？!?"
KINDS = ("light_edit", "reorder", "hashtags", "format", "sentence_swap", "combo")


class Corpus:
    """Deterministic generator of posts and of edited copies of them."""

    def __init__(self, seed: int, pool_size: int) -> None:
        self.rng = np.random.Generator(np.random.PCG64(seed))
        self.pool = self._sentences(pool_size)

    def _pick(self, words: list[str], n: int) -> list[str]:
        return [words[i] for i in self.rng.integers(0, len(words), n)]

    def _sentences(self, count: int) -> list[str]:
        rng = self.rng
        products = [
            p + q + m
            for p, q, m in zip(
                self._pick(PREFIXES, count), self._pick(NOUNS, count), self._pick(MODELS, count), strict=True
            )
        ]
        products2 = [q + m for q, m in zip(self._pick(NOUNS, count), self._pick(MODELS, count), strict=True)]
        cols = {
            "c": self._pick(CALLS, count),
            "p": products,
            "p2": products2,
            "f": self._pick(FEATURES, count),
            "a": self._pick(ADJS, count),
            "a2": self._pick(ADJS, count),
            "u": self._pick(USERS, count),
            "t": self._pick(TIMES, count),
            "e": self._pick(EVENTS, count),
            "city": self._pick(CITIES, count),
            "city2": self._pick(CITIES, count),
            "topic": self._pick(TOPICS, count),
            "name": self._pick(NAMES, count),
            "n": [str(v) for v in rng.integers(2, 1000, count)],
            "n2": [str(v) for v in rng.integers(2, 100, count)],
            "m": [str(v) for v in rng.integers(1, 13, count)],
            "d": [str(v) for v in rng.integers(1, 29, count)],
        }
        templates = rng.integers(0, len(TEMPLATES), count)
        keys = list(cols)
        return [
            TEMPLATES[t].format(**{key: cols[key][i] for key in keys})
            for i, t in enumerate(templates.tolist())
        ]

    def posts(self, count: int, repost_rate: float = 0.0) -> list[str]:
        rng = self.rng
        n_sent = rng.integers(3, 8, count)
        picks = rng.integers(0, len(self.pool), int(n_sent.sum())).tolist()
        n_tags = rng.choice(4, count, p=[0.4, 0.3, 0.2, 0.1]).tolist()
        tag_picks = rng.integers(0, len(TOPICS), 3 * count).tolist()
        emoji_pos = rng.integers(0, 4, count).tolist()
        emoji_pick = rng.integers(0, len(EMOJI), count).tolist()
        repost = (rng.random(count) < repost_rate).tolist()
        pool = self.pool
        out: list[str] = []
        at = 0
        for i in range(count):
            k = int(n_sent[i])
            if repost[i] and i > 0:
                j = int(rng.integers(0, i))
                out.append(self.variant(out[j], KINDS[int(rng.integers(0, len(KINDS)))]))
                at += k
                continue
            sentences = [pool[p] for p in picks[at : at + k]]
            at += k
            if emoji_pos[i] < k:
                sentences[emoji_pos[i]] += EMOJI[emoji_pick[i]]
            text = "".join(sentences)
            if n_tags[i]:
                text += " " + " ".join("#" + TOPICS[tag_picks[3 * i + t]] + "#" for t in range(n_tags[i]))
            out.append(text)
        return out

    # ---- edits ----------------------------------------------------------------------------

    def _light_edit(self, text: str) -> str:
        chars = list(text)
        for _ in range(int(self.rng.integers(1, 4))):
            cjk = [i for i, ch in enumerate(chars) if "\u4e00" <= ch <= "\u9fff"]
            if not cjk:
                break
            i = cjk[int(self.rng.integers(0, len(cjk)))]
            new = EDIT_CHARS[int(self.rng.integers(0, len(EDIT_CHARS)))]
            op = int(self.rng.integers(0, 3))
            if op == 0:
                chars[i] = new
            elif op == 1:
                chars.insert(i, new)
            else:
                del chars[i]
        return "".join(chars)

    def _split(self, text: str) -> tuple[list[str], str]:
        body, hashtag_tail = (text.split(" #", 1) + [""])[:2]
        sentences: list[str] = []
        current = ""
        for ch in body:
            current += ch
            if ch in SENTENCE_END:
                sentences.append(current)
                current = ""
        if current:
            sentences.append(current)
        return sentences, (" #" + hashtag_tail if hashtag_tail else "")

    def _reorder(self, text: str) -> str:
        sentences, tail = self._split(text)
        order = self.rng.permutation(len(sentences)).tolist()
        return "".join(sentences[i] for i in order) + tail

    def _hashtags(self, text: str) -> str:
        tags = " ".join(
            "#" + TOPICS[int(i)] + "#"
            for i in self.rng.integers(0, len(TOPICS), int(self.rng.integers(2, 5)))
        )
        return text + " " + tags + " " + EMOJI[int(self.rng.integers(0, len(EMOJI)))] * 3

    def _format(self, text: str) -> str:
        wide = {chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)}
        out = "".join(wide.get(ch, ch) for ch in text)
        out = out.replace("，", ", ").replace("。", "。\n").replace("！", "!!! ")
        return "【转发】" + out + " " + EMOJI[int(self.rng.integers(0, len(EMOJI)))]

    def _sentence_swap(self, text: str) -> str:
        sentences, tail = self._split(text)
        i = int(self.rng.integers(0, len(sentences)))
        sentences[i] = self.pool[int(self.rng.integers(0, len(self.pool)))]
        return "".join(sentences) + tail

    def variant(self, text: str, kind: str) -> str:
        if kind == "light_edit":
            return self._light_edit(text)
        if kind == "reorder":
            return self._reorder(text)
        if kind == "hashtags":
            return self._hashtags(text)
        if kind == "format":
            return self._format(text)
        if kind == "sentence_swap":
            return self._sentence_swap(text)
        return self._hashtags(self._light_edit(self._reorder(text)))


# ---------------------------------------------------------------------------------------------
# Measurements


def rss_mib() -> float:
    """Current resident set size in MiB (Linux /proc)."""
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(np.array(values), q))


class BruteForce:
    """Exact Jaccard of a query against every document of a sample, vectorised with numpy."""

    def __init__(self, texts: list[str], k: int) -> None:
        self.k = k
        sets = [shingle_set(normalize(t), k) for t in texts]
        self.lens = np.array([s.size for s in sets], dtype=np.int64)
        self.flat = np.concatenate(sets)
        self.owner = np.repeat(np.arange(len(sets)), self.lens)
        self.sets = [frozenset(s.tolist()) for s in sets]

    def query(self, text: str) -> np.ndarray:
        q = shingle_set(normalize(text), self.k)
        if q.size == 0:
            return np.zeros(self.lens.size)
        pos = np.searchsorted(q, self.flat)
        pos[pos == q.size] = 0
        inter = np.bincount(
            self.owner, weights=(q[pos] == self.flat).astype(np.float64), minlength=self.lens.size
        )
        union = q.size + self.lens - inter
        return np.divide(inter, union, out=np.zeros(self.lens.size), where=union > 0)

    def query_python(self, text: str) -> list[float]:
        q = frozenset(shingle_set(normalize(text), self.k).tolist())
        return [len(q & s) / len(q | s) if q and s else 0.0 for s in self.sets]


def k_study(corpus: Corpus, docs: list[str], threshold: float, pairs: int = 3000) -> None:
    """Similarity of unrelated texts vs of lightly edited copies, for each shingle length.

    On the generated posts and on the real reviews of the shared data (all about hotels or
    food delivery: like a brand's own posts, unrelated texts share a topic and its words).
    """
    rng = np.random.Generator(np.random.PCG64(7))
    print(
        f"\nshingle length study: {pairs} random pairs, 1000 light edits (1–3 characters changed) per corpus"
    )
    print(
        "   k | random pairs: mean    p99  p99.9    max | edits: p5 median | ≥ threshold: all  <40  40–99 ≥100"
    )
    real = [t for t in real_reviews() if len(normalize(t)) >= 20]
    for label, texts in (("generated posts", docs), ("real reviews", real)):
        if not texts:
            continue
        left = rng.integers(0, len(texts), pairs).tolist()
        right = rng.integers(0, len(texts), pairs).tolist()
        unrelated = [(texts[a], texts[b]) for a, b in zip(left, right, strict=True) if a != b]
        edited = [(texts[a], corpus.variant(texts[a], "light_edit")) for a in left[:1000]]
        length = np.array([len(normalize(a)) for a, _ in edited])
        groups = [length < 40, (length >= 40) & (length < 100), length >= 100]
        sizes = " / ".join(str(int(g.sum())) for g in groups)
        print(
            f"  {label} (mean {np.mean([len(t) for t in texts]):.0f} characters; edited: {sizes} by length)"
        )
        for k in (1, 2, 3, 4, 5):
            bg = np.array([jaccard(a, b, k) for a, b in unrelated])
            ed = np.array([jaccard(a, b, k) for a, b in edited])
            ok = ed >= threshold
            by_length = " ".join(f"{ok[g].mean():.3f}" if g.any() else "  -  " for g in groups)
            print(
                f"   {k} |            {bg.mean():.3f}  {np.percentile(bg, 99):.3f}  {np.percentile(bg, 99.9):.3f}  "
                f"{bg.max():.3f} |       {np.percentile(ed, 5):.3f}  {np.median(ed):.3f} |"
                f"        {ok.mean():.3f} {by_length}"
            )
    print()


SHARED_DATA = Path(
    os.environ.get("SOCIALOPS_SHARED_DATA") or Path(__file__).resolve().parents[2] / "shared" / "data"
)
REAL_FILES = ("zh/ChnSentiCorp_htl_all.csv", "zh/waimai_10k.csv")


def real_reviews() -> list[str]:
    """Real Chinese texts: the hotel and food-delivery reviews of the shared data sets."""
    texts: list[str] = []
    for name in REAL_FILES:
        path = SHARED_DATA / name
        if path.exists():
            with path.open(encoding="utf-8", newline="") as fh:
                texts.extend(row["review"] for row in csv.DictReader(fh) if row.get("review"))
    return texts


def real_text_check(corpus: Corpus, threshold: float, queries: int = 300) -> None:
    """The same measurements on ~19,700 real reviews written by strangers (not generated)."""
    texts = real_reviews()
    if not texts:
        print(f"\nreal reviews: not found under {SHARED_DATA}; skipped")
        return
    index = OriginalityIndex(threshold=threshold)
    t0 = time.perf_counter()
    index.add_many(enumerate(texts))
    build_s = time.perf_counter() - t0
    rng = np.random.Generator(np.random.PCG64(11))
    long_enough = [i for i, t in enumerate(texts) if len(normalize(t)) >= 20]
    picks = rng.choice(long_enough, queries, replace=False).tolist()
    lat: list[float] = []
    above = found = 0
    for n, i in enumerate(picks):
        kind = KINDS[n % len(KINDS)]
        edited = (
            corpus.variant(texts[i], kind)
            if kind != "sentence_swap"
            else corpus.variant(texts[i], "light_edit")
        )
        t0 = time.perf_counter()
        matches = index.query(edited, top_k=None)
        lat.append((time.perf_counter() - t0) * 1000)
        if jaccard(edited, texts[i]) >= threshold:
            above += 1
            found += any(m.doc_id == i for m in matches)
    # Agreement with brute force, the reviews themselves as queries (real duplicates exist).
    brute = BruteForce(texts, index.k)
    exact_pairs = lsh_pairs = both = 0
    for i in picks:
        scores = brute.query(texts[i])
        exact = {int(d) for d in np.flatnonzero(scores >= threshold - 1e-12)} - {i}
        got = {int(m.doc_id) for m in index.query(texts[i], top_k=None, exclude={i})}
        exact_pairs += len(exact)
        lsh_pairs += len(got)
        both += len(exact & got)
    print(
        f"\nreal reviews ({len(texts):,} hotel and food-delivery reviews, shared data): built in {build_s:.1f} s; "
        f"{queries} edited copies: p50 {pct(lat, 50):.2f} ms, p99 {pct(lat, 99):.2f} ms; "
        f"recall {found}/{above} at or above the threshold"
    )
    print(
        f"  the {queries} original reviews as queries vs brute force over all: pairs ≥ threshold exact {exact_pairs}, "
        f"LSH {lsh_pairs}, both {both}"
    )


def edge_cases(seed: int, threshold: float) -> None:
    """Worst cases: thousands of identical posts, a long article, diffs."""
    corpus = Corpus(seed + 1, 50_000)
    docs = corpus.posts(100_000)
    boiler = docs[0]
    for i in range(0, len(docs), 20):  # 5,000 identical copies of one post
        docs[i] = boiler
    index = OriginalityIndex(threshold=threshold)
    index.add_many(enumerate(docs))
    print("\nedge cases on a separate index of 100,000 posts (5,000 of them identical):")
    for top_k in (5, None):
        t0 = time.perf_counter()
        found = index.query(boiler, top_k=top_k)
        print(
            f"  the repeated post, top_k={top_k}: {len(found)} matches in {(time.perf_counter() - t0) * 1000:.1f} ms"
        )
    article = "".join(corpus.posts(200))
    t0 = time.perf_counter()
    found = index.query(article)
    print(f"  a {len(article):,}-character article: {(time.perf_counter() - t0) * 1000:.1f} ms")
    edited = corpus.variant(article, "combo")
    t0 = time.perf_counter()
    d = index.diff(article, edited)
    print(
        f"  diff of the article and an edited copy: {(time.perf_counter() - t0) * 1000:.1f} ms, {len(d.ops)} opcodes"
    )
    post = docs[1]
    t0 = time.perf_counter()
    d = index.diff(post, corpus.variant(post, "combo"))
    print(
        f"  diff of a post and an edited copy: {(time.perf_counter() - t0) * 1000:.2f} ms, {len(d.ops)} opcodes"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=1_000_000, help="posts to index (default 1,000,000)")
    parser.add_argument("--queries", type=int, default=2000, help="timed queries, half planted, half fresh")
    parser.add_argument("--sample", type=int, default=20_000, help="documents in the brute-force sample")
    parser.add_argument(
        "--baseline-queries", type=int, default=200, help="queries in the brute-force baseline"
    )
    parser.add_argument("--threshold", type=float, default=0.6)
    parser.add_argument("--num-perm", type=int, default=128)
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--serialise", action="store_true", help="also time to_bytes/from_bytes")
    parser.add_argument("--k-study", action="store_true", help="compare shingle lengths k = 1…5 first")
    parser.add_argument(
        "--edge-cases", action="store_true", help="also time worst cases on a separate 100,000-post index"
    )
    args = parser.parse_args(argv)
    sample = min(args.sample, args.docs)
    started = time.perf_counter()

    print(
        f"== originality benchmark: {args.docs:,} posts, threshold {args.threshold}, num_perm {args.num_perm}"
    )
    t0 = time.perf_counter()
    corpus = Corpus(args.seed, pool_size=max(2000, min(400_000, args.docs // 2)))
    docs = corpus.posts(args.docs, repost_rate=0.02)
    gen_s = time.perf_counter() - t0
    mean_len = sum(map(len, docs)) / len(docs)
    print(
        f"generated {len(docs):,} posts in {gen_s:.1f} s (mean {mean_len:.0f} characters); RSS {rss_mib():,.0f} MiB"
    )

    if args.k_study:
        k_study(corpus, docs, args.threshold)

    # Queries: planted edits of indexed posts (sources anywhere), fresh posts, and for the
    # baseline planted edits whose source lies in the sample.
    half = args.queries // 2
    sources = corpus.rng.integers(0, args.docs, half).tolist()
    planted = [
        (s, KINDS[i % len(KINDS)], corpus.variant(docs[s], KINDS[i % len(KINDS)]))
        for i, s in enumerate(sources)
    ]
    fresh = corpus.posts(args.queries - half)
    base_half = args.baseline_queries // 2
    base_sources = corpus.rng.integers(0, sample, base_half).tolist()
    base_planted = [corpus.variant(docs[s], KINDS[i % len(KINDS)]) for i, s in enumerate(base_sources)]
    base_queries = base_planted + fresh[: args.baseline_queries - base_half]

    index = OriginalityIndex(num_perm=args.num_perm, threshold=args.threshold)
    b, r = index.bands, index.rows
    curve = ", ".join(
        f"P({s:.1f})={collision_probability(s, b, r):.3f}" for s in (0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8)
    )
    print(f"LSH {b} bands × {r} rows; S-curve midpoint {s_curve_midpoint(b, r):.3f}; {curve}")

    gc.collect()
    rss_before = rss_mib()
    t0 = time.perf_counter()
    index.add_many(enumerate(docs))
    build_s = time.perf_counter() - t0
    rss_after = rss_mib()
    parts = index.memory_bytes()
    total = sum(parts.values())
    print(f"\nindex build: {build_s:.1f} s ({args.docs / build_s:,.0f} posts/s)")
    print(
        "index memory: "
        + ", ".join(f"{k} {v / 2**20:,.0f} MiB" for k, v in parts.items())
        + f"; total {total / 2**20:,.0f} MiB ({total / args.docs:,.0f} B/post)"
    )
    print(
        f"RSS before build {rss_before:,.0f} MiB, after {rss_after:,.0f} MiB (+{rss_after - rss_before:,.0f} MiB)"
    )
    print(f"signature checksum (determinism): {zlib.crc32(index._sigs[: len(index)].tobytes()):08x}")

    # Timed queries, one at a time.
    latencies: list[float] = []
    found: list[tuple[float, str, bool]] = []  # (similarity to source, kind, source found)
    fresh_hits = 0
    for s, kind, text in planted:
        t0 = time.perf_counter()
        matches = index.query(text, top_k=10)
        latencies.append(time.perf_counter() - t0)
        found.append((jaccard(text, docs[s]), kind, any(m.doc_id == s for m in matches)))
    for text in fresh:
        t0 = time.perf_counter()
        matches = index.query(text, top_k=10)
        latencies.append(time.perf_counter() - t0)
        fresh_hits += bool(matches)
    ms = [v * 1000 for v in latencies]
    print(
        f"\nqueries: {len(ms):,} ({len(planted)} planted, {len(fresh)} fresh), top_k=10: "
        f"p50 {pct(ms, 50):.2f} ms, p90 {pct(ms, 90):.2f} ms, p99 {pct(ms, 99):.2f} ms, max {max(ms):.2f} ms"
    )
    above = [f for f in found if f[0] >= args.threshold]
    recall = sum(f[2] for f in above) / len(above) if above else float("nan")
    print(f"planted pairs at or above the threshold: {len(above)}/{len(found)}; recall {recall:.4f}")
    for lo, hi in ((0.6, 0.7), (0.7, 0.8), (0.8, 0.9), (0.9, 1.01)):
        group = [f for f in above if lo <= f[0] < hi]
        if group:
            print(f"  similarity {lo:.1f}–{min(hi, 1.0):.1f}: {sum(g[2] for g in group)}/{len(group)} found")
    for kind in KINDS:
        group = [f for f in found if f[1] == kind]
        sims = [g[0] for g in group]
        hits = [g for g in group if g[0] >= args.threshold]
        print(
            f"  {kind:<14} similarity to source median {np.median(sims):.2f} (min {min(sims):.2f}); "
            f"≥ threshold {len(hits)}, found {sum(g[2] for g in hits)}"
        )
    below = [f for f in found if f[0] < args.threshold]
    print(f"planted pairs below the threshold reported: {sum(f[2] for f in below)}/{len(below)} (must be 0)")
    print(f"fresh queries with any match ≥ threshold: {fresh_hits}/{len(fresh)}")

    # Exact brute force on a sample.
    print(
        f"\nbaseline: exact Jaccard, brute force over the first {sample:,} posts × {len(base_queries)} queries"
    )
    t0 = time.perf_counter()
    brute = BruteForce(docs[:sample], index.k)
    print(f"  shingle sets of the sample built in {time.perf_counter() - t0:.1f} s")
    bf_times: list[float] = []
    lsh_times: list[float] = []
    exact_pairs = lsh_pairs = both = 0
    max_diff = 0.0
    for text in base_queries:
        t0 = time.perf_counter()
        scores = brute.query(text)
        bf_times.append(time.perf_counter() - t0)
        exact = {int(i): float(scores[i]) for i in np.flatnonzero(scores >= args.threshold - 1e-12)}
        t0 = time.perf_counter()
        matches = index.query(text, top_k=None)
        lsh_times.append(time.perf_counter() - t0)
        got = {int(m.doc_id): m.similarity for m in matches if int(m.doc_id) < sample}
        exact_pairs += len(exact)
        lsh_pairs += len(got)
        both += len(exact.keys() & got.keys())
        for d in exact.keys() & got.keys():
            max_diff = max(max_diff, abs(exact[d] - got[d]))
    t0 = time.perf_counter()
    py_n = min(20, len(base_queries))
    for text in base_queries[:py_n]:
        brute.query_python(text)
    py_ms = (time.perf_counter() - t0) / py_n * 1000
    bf_ms = float(np.mean(bf_times)) * 1000
    print(
        f"  brute force (numpy, vectorised): {bf_ms:.1f} ms/query over {sample:,} posts "
        f"→ about {bf_ms * args.docs / sample / 1000:.2f} s/query over {args.docs:,}"
    )
    print(f"  brute force (Python sets): {py_ms:.1f} ms/query over {sample:,} posts ({py_n} queries)")
    print(f"  LSH index (over all {args.docs:,} posts, top_k=None): {np.mean(lsh_times) * 1000:.2f} ms/query")
    agreement = both / exact_pairs if exact_pairs else float("nan")
    print(
        f"  pairs ≥ threshold in the sample: exact {exact_pairs}, LSH {lsh_pairs}, both {both}; "
        f"LSH recall vs exact {agreement:.4f}; LSH pairs the exact search rejects {lsh_pairs - both}; "
        f"largest similarity difference {max_diff:.2e}"
    )

    real_text_check(corpus, args.threshold)
    if args.edge_cases:
        edge_cases(args.seed, args.threshold)
    print(f"\npeak RSS before any serialisation (whole process, texts included): {peak_rss_mib():,.0f} MiB")

    if args.serialise:
        t0 = time.perf_counter()
        blob = index.to_bytes()
        dump_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        again = OriginalityIndex.from_bytes(blob)
        load_s = time.perf_counter() - t0
        same = all(again.query(t) == index.query(t) for t in fresh[:50] + [p[2] for p in planted[:50]])
        print(
            f"\nserialisation: {len(blob) / 2**20:,.0f} MiB, to_bytes {dump_s:.1f} s, from_bytes {load_s:.1f} s; "
            f"same answers on 100 queries: {same}"
        )
        del blob, again

    print(f"peak RSS at the end (whole process): {peak_rss_mib():,.0f} MiB")
    print(f"total wall time: {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
