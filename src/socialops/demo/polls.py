"""The demo's poll: 星曜科技's open survey on its next earbuds, answered for twelve days.

One open poll (opened eleven days before ``today``, closing in four) with four questions: the
colour (single choice, keywords 1 / 2 / 3 for replies on our account), what matters most
(multiple choice), satisfaction with the current model (1–5) and free-text suggestions. About
230 fans answered on the public page and about 90 demo fans replied a keyword in a comment,
spread over the days with more answers in the first days and on the weekend.

Public-page answers go through ``response_submit`` (each with its own device token); keyword
replies are the fans' past comments written as history (like fans.py, without the inbox hook,
so they do not fill the inbox) and then turned into responses by ``keyword_response``, which
also records each fan's vote interaction. Everything is drawn from a fixed seed.

Called by the seed as ``seed_polls(workspace, today)`` after the fans part; returns the poll.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.utils import timezone

from socialops.accounts.models import SocialAccount
from socialops.engagement.models.campaigns import Campaign
from socialops.engagement.models.polls import Poll
from socialops.engagement.services import polls as svc
from socialops.fans.models import Fan, Interaction, InteractionKind, InteractionSource
from socialops.workspaces.models import Workspace

SEED = 20261208
PAGE_RESPONSES = 232
KEYWORD_RESPONSES = 90
OPEN_DAYS = 11

COLOURS = [("星空黑", "1"), ("云雾白", "2"), ("湖光蓝", "3")]
COLOUR_WEIGHTS = [45, 30, 25]
MATTERS = ["降噪效果", "续航时间", "佩戴舒适", "音质", "价格"]
MATTER_WEIGHTS = [0.62, 0.55, 0.4, 0.48, 0.3]
SCALE_WEIGHTS = [3, 6, 18, 41, 32]  # 1 … 5
SUGGESTIONS = [
    "希望续航再长一点，通勤来回一天就没电了",
    "降噪很好，但是戴久了耳朵有点疼",
    "能不能出一个粉色款？",
    "充电盒太大了，放口袋不方便",
    "价格有点贵，学生党希望有优惠",
    "连接手机偶尔会断，希望固件更新修复一下",
    "通话的时候对方说有回音",
    "音质很棒，低音很足，推荐给朋友了",
    "希望支持无线充电",
    "App 里的均衡器可以多几个预设",
    "客服回复很快，点赞",
    "运动的时候容易掉，希望附赠更多尺寸的耳塞",
    "包装很精致，送人很合适",
    "希望出一个有线充电线更长的版本",
    "游戏模式延迟还是有点高",
    "颜色很好看，就是容易沾指纹",
    "希望以旧换新的活动再多一些",
    "戴眼镜的时候不太舒服",
    "降噪开到最大会有点耳压感",
    "希望支持多设备同时连接",
]
TEXT_SHARE = 0.35


def _when(rng: random.Random, opened: dt.datetime, now: dt.datetime) -> dt.datetime:
    """A time in the open period, more of them early on (the launch post) and in the evenings."""
    span = (now - opened).total_seconds()
    offset = span * (rng.random() ** 1.6)
    moment = opened + dt.timedelta(seconds=offset)
    hour = rng.choices(
        range(24), weights=[1, 1, 1, 1, 1, 1, 2, 3, 4, 4, 4, 5, 6, 5, 4, 4, 4, 5, 6, 8, 9, 9, 6, 3]
    )[0]
    moment = moment.replace(hour=hour, minute=rng.randrange(60))
    return min(max(moment, opened + dt.timedelta(minutes=5)), now - dt.timedelta(minutes=1))


def seed_polls(workspace: Workspace, today: dt.date) -> Poll:
    """Create the demo's open poll with 300+ responses (public page and keyword replies)."""
    rng = random.Random(SEED)
    local_midnight = dt.datetime.combine(today, dt.time(9, 0), tzinfo=workspace.tz)
    opened = local_midnight - dt.timedelta(days=OPEN_DAYS)
    closes = local_midnight + dt.timedelta(days=4)
    # Answers fall between the opening and now, or the day seeded when the demo is seeded as of
    # another day (tests seed past and future days): always inside the poll's open period.
    now = min(max(timezone.now(), local_midnight), closes - dt.timedelta(hours=1))
    # The keyword account: the one of ours with the most fans.
    fan_counts: dict[int, int] = {}
    for account_id in Fan.objects.filter(workspace=workspace).values_list("account_id", flat=True):
        fan_counts[account_id] = fan_counts.get(account_id, 0) + 1
    account = (
        SocialAccount.objects.filter(
            workspace=workspace, pk=max(fan_counts, key=lambda k: fan_counts[k])
        ).first()
        if fan_counts
        else SocialAccount.objects.filter(workspace=workspace).order_by("pk").first()
    )
    campaign = Campaign.objects.filter(workspace=workspace).order_by("start_date", "pk").first()
    poll = svc.poll_create(
        workspace=workspace,
        actor=None,
        title="下一代星曜耳机：你来定",
        description="花一分钟告诉我们你的想法，我们会从建议里挑选好点子做进新品。也可以在评论区回复 1 / 2 / 3 选颜色。",
        campaign=campaign,
        accounts=[account] if account else [],
        keyword_account=account,
        opens_at=opened,
        closes_at=closes,
        one_per_device=True,
    )
    colour = svc.question_create(
        workspace=workspace,
        actor=None,
        poll=poll,
        kind="single",
        text="新品你最想要哪个颜色？",
        choices=COLOURS,
    )
    matters = svc.question_create(
        workspace=workspace,
        actor=None,
        poll=poll,
        kind="multiple",
        text="买耳机时你最看重什么？（可多选）",
        choices=[(m, "") for m in MATTERS],
    )
    scale = svc.question_create(
        workspace=workspace,
        actor=None,
        poll=poll,
        kind="scale",
        text="你对现款星曜耳机的满意度",
        scale_min=1,
        scale_max=5,
    )
    text = svc.question_create(
        workspace=workspace,
        actor=None,
        poll=poll,
        kind="text",
        text="还有什么建议想告诉我们？",
        required=False,
    )
    poll = svc.poll_set_status(workspace=workspace, actor=None, poll=poll, status="open")
    colour_ids = [str(c.pk) for c in colour.choices.all()]
    matter_ids = [str(c.pk) for c in matters.choices.all()]

    for i in range(PAGE_RESPONSES):
        picked = [m for m, w in zip(matter_ids, MATTER_WEIGHTS, strict=True) if rng.random() < w] or [
            matter_ids[0]
        ]
        answers: dict[str, Any] = {
            f"q{colour.pk}": rng.choices(colour_ids, weights=COLOUR_WEIGHTS)[0],
            f"q{matters.pk}": picked,
            f"q{scale.pk}": str(rng.choices(range(1, 6), weights=SCALE_WEIGHTS)[0]),
            f"q{text.pk}": rng.choice(SUGGESTIONS) if rng.random() < TEXT_SHARE else "",
        }
        svc.response_submit(
            poll=poll,
            answers=answers,
            device_token=f"demo-device-{i}-{rng.random()}",
            submitted_at=_when(rng, opened, now),
        )

    if account is not None:
        fans = list(
            Fan.objects.filter(workspace=workspace, account=account).order_by("pk")[:KEYWORD_RESPONSES]
        )
        for n, fan in enumerate(fans):
            keyword = rng.choices([k for _label, k in COLOURS], weights=COLOUR_WEIGHTS)[0]
            # Some fans type the digit full-width, as phone keyboards do.
            typed = chr(ord(keyword) + 0xFEE0) if rng.random() < 0.2 else keyword
            comment = Interaction.objects.create(
                workspace=workspace,
                person_id=fan.person_id,
                fan=fan,
                account=account,
                kind=InteractionKind.COMMENT,
                occurred_at=_when(rng, opened, now),
                text=typed,
                external_id=f"demo-poll-comment-{poll.pk}-{n}",
                post_external_id="demo-poll-post",
                source=InteractionSource.PULL,
            )
            svc.keyword_response(interaction=comment)
    return poll
