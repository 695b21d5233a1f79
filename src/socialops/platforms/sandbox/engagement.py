"""Simulated engagement: deterministic from (seed, post id, age), growing as a post gets older.

Each post gets a "potential" (how many favourites it will end up with; heavy-tailed, so a few
posts do much better than most) and a time constant; favourites follow
potential × (1 − e^(−age/τ)), reblogs and replies a fixed share of them. Fan replies and direct
messages are generated with their own arrival times, so the notifications a client sees grow
over time and are the same on every run with the same seed.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math

# What fans write under a brand's posts and in its direct messages: questions, complaints,
# praise and purchase intent in the short, informal style of Chinese social media (表情 codes,
# 网络用语), with some English. Written for the sandbox; the sentiment model never trained on it.
FAN_REPLIES = (
    # questions
    "请问这个什么时候上市？",
    "这个功能怎么用？求教程。",
    "和上一代比有什么区别？",
    "支持七天无理由退货吗？",
    "有没有线下门店可以体验一下？",
    "请问保修多久呀[疑问]",
    "发货一般几天能到？在线等",
    "小白问一下，这个适合新手吗",
    "Where can I buy this outside China?",
    "Does it ship to Singapore?",
    # complaints
    "客服一直不回复，有点失望。",
    "包装破损了，怎么退换？",
    "买了三天就坏了，什么破质量[怒]",
    "物流太慢了，等了一个星期还没到",
    "客服态度太差了，再也不买了",
    "说好的赠品没收到，能给个说法吗？",
    "刚买就降价，心态崩了[泪]",
    "App 一直闪退，修一下吧",
    "The order arrived broken and nobody answers.",
    # praise
    "太棒了，已经下单！",
    "支持！内容很有用，收藏了。",
    "期待下一期！",
    "用了一个月，真香[哈哈]",
    "这波操作 yyds！",
    "颜值绝绝子，爱了爱了[心]",
    "客服小姐姐超耐心，点赞[赞]",
    "Great post, thanks for sharing!",
    # purchase intent
    "有优惠券吗？想买两份。",
    "价格能再便宜点吗？",
    "想入手，双十一有活动吗？",
    "求链接！哪里能买到？",
    "公司想批量采购，怎么联系？",
    "有学生价吗，想买给孩子",
    "How much is the bundle with the case?",
    # other
    "哈哈哈哈哈",
    "路过[doge]",
    "@朋友 快来看",
)
FAN_NAMES = ("小林", "阿杰", "Mia", "王老师", "橙子", "Leo", "豆豆", "陈工", "Yuki", "大熊")
# Share of generated fan messages that are private (direct messages) rather than replies.
DIRECT_SHARE = 0.2


def unit(seed: int, *parts: object) -> float:
    """A uniform number in [0, 1) fixed by the seed and the parts."""
    digest = hashlib.blake2b(repr((seed, *parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


@dataclasses.dataclass(frozen=True)
class Shape:
    """How one post's engagement grows."""

    potential: float
    tau_hours: float
    reblog_share: float
    reply_share: float


def shape(seed: int, status_id: int) -> Shape:
    u = unit(seed, "potential", status_id)
    return Shape(
        potential=5 + 195 * u * u,
        tau_hours=2 + 10 * unit(seed, "tau", status_id),
        reblog_share=0.1 + 0.2 * unit(seed, "reblogs", status_id),
        reply_share=0.05 + 0.1 * unit(seed, "replies", status_id),
    )


def growth(s: Shape, age_seconds: float) -> float:
    if age_seconds <= 0:
        return 0.0
    return 1 - math.exp(-(age_seconds / 3600) / s.tau_hours)


def counts(seed: int, status_id: int, age_seconds: float) -> tuple[int, int, int]:
    """(favourites, reblogs, fan messages so far) of a post at this age."""
    s = shape(seed, status_id)
    g = growth(s, age_seconds)
    favourites = int(s.potential * g)
    reblogs = int(s.potential * s.reblog_share * g)
    messages = int(s.potential * s.reply_share * g)
    return favourites, reblogs, messages


@dataclasses.dataclass(frozen=True)
class FanMessage:
    """One generated reply or direct message from a fan to a post's author."""

    index: int
    arrives_after_seconds: float
    fan_number: int
    text: str
    direct: bool


def fan_messages(seed: int, status_id: int, age_seconds: float) -> list[FanMessage]:
    """The fan messages that have arrived by this age, each with its arrival time."""
    s = shape(seed, status_id)
    total = s.potential * s.reply_share
    arrived = counts(seed, status_id, age_seconds)[2]
    out = []
    for k in range(arrived):
        # Inverse of the growth curve: when the (k+1)-th message crossed the line.
        fraction = min((k + 1) / total, 0.999999)
        after = -math.log(1 - fraction) * s.tau_hours * 3600
        fan = int(unit(seed, "fan", status_id, k) * 10_000)
        text = FAN_REPLIES[int(unit(seed, "text", status_id, k) * len(FAN_REPLIES))]
        out.append(
            FanMessage(
                index=k,
                arrives_after_seconds=after,
                fan_number=fan,
                text=text,
                direct=unit(seed, "direct", status_id, k) < DIRECT_SHARE,
            )
        )
    return out


def fan_name(fan_number: int) -> str:
    return f"{FAN_NAMES[fan_number % len(FAN_NAMES)]}{fan_number % 1000:03d}"


def followers(
    seed: int, account_id: int, age_seconds: float, favourites_total: int, base: int | None = None
) -> int:
    """Followers of an account: a base (simulated unless given), steady daily growth, and a share
    of the favourites it earned."""
    if base is None:
        base = 100 + int(4900 * unit(seed, "base", account_id))
    per_day = 5 + 45 * unit(seed, "per_day", account_id)
    return base + int(per_day * max(0.0, age_seconds) / 86400) + favourites_total // 20
