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

FAN_REPLIES = (
    "请问这个什么时候上市？",
    "太棒了，已经下单！",
    "客服一直不回复，有点失望。",
    "有优惠券吗？想买两份。",
    "支持！内容很有用，收藏了。",
    "价格能再便宜点吗？",
    "Great post, thanks for sharing!",
    "这个功能怎么用？求教程。",
    "包装破损了，怎么退换？",
    "期待下一期！",
    "Where can I buy this outside China?",
    "和上一代比有什么区别？",
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
