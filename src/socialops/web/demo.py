"""The demo workspace 「星曜科技」: accounts, personas, 180 days of metrics, goals and strategies.

Everything is generated from a fixed random seed and dated relative to ``today`` (Asia/Shanghai),
so the demo always looks current and two seeds on the same day hold identical figures. Rows are
written only through the apps' services with ``actor=None`` (the system), so every write is
validated and audited like a person's would be.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import zoneinfo
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from socialops.workspaces.roles import Role

DEMO_SLUG = "demo"
DEMO_NAME = "星曜科技"
DEMO_TIMEZONE = "Asia/Shanghai"
DEMO_LOCALE = "zh-hans"
DEFAULT_PASSWORD = "socialops-demo"
PASSWORD_ENV = "SOCIALOPS_DEMO_PASSWORD"
HISTORY_DAYS = 180
# Changing the seed changes every figure of the demo; tests pin the data through a checksum.
SEED = "xingyao-2024"
METRICS_SOURCE = "demo"

# (username, role, subject expert)
DEMO_USERS: tuple[tuple[str, str, bool], ...] = (
    ("admin", Role.ADMIN, False),
    ("operator", Role.OPERATOR, False),
    ("reviewer", Role.REVIEWER, True),
    ("community", Role.COMMUNITY, False),
    ("analyst", Role.ANALYST, False),
)


def demo_password() -> str:
    """The demo users' password: $SOCIALOPS_DEMO_PASSWORD, else ``socialops-demo``."""
    return os.environ.get(PASSWORD_ENV) or DEFAULT_PASSWORD


def demo_today() -> dt.date:
    """Today's date in the demo workspace's time zone."""
    return timezone.now().astimezone(zoneinfo.ZoneInfo(DEMO_TIMEZONE)).date()


# ---- the accounts ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonaSpec:
    """A target-audience persona as the team wrote it down."""

    name: str
    age_band: str
    female_share: int
    city_tiers: tuple[str, ...]
    interests: tuple[str, ...]
    active_hours: tuple[int, ...]
    description: str


@dataclass(frozen=True)
class Profile:
    """The shape of an account's daily figures: size, rhythm, rates and funnel."""

    followers: int  # followers at the end of the history, roughly
    new_per_day: float  # new followers a day at the start of the history
    churn: float  # lost followers as a share of new ones
    growth: float  # how much daily activity grows over the history (the trend)
    weekly: tuple[float, float, float, float, float, float, float]  # Monday … Sunday
    posts: tuple[int, int]  # posts on a weekday, on a weekend day
    impressions_per_follower: float
    reach_share: float  # reach as a share of impressions
    likes: float  # per impression
    comments: float
    shares: float
    saves: float
    clicks: float  # link clicks per impression
    leads: float  # per link click
    orders: float  # per link click
    coupons: float  # coupon redemptions per order
    order_value: float  # average order value in CNY
    campaign_lift: float  # how much harder the campaign pushes this account's activity
    holiday_factor: float  # activity during the golden week, relative to normal


@dataclass(frozen=True)
class AccountSpec:
    """One account of the demo: its profile text, personas and metric shape."""

    key: str
    platform: str
    handle: str
    display_name: str
    positioning: str
    brand_traits: tuple[str, ...]
    market_position: str
    style_rules: str
    tone: str
    profile: Profile
    notes: str = ""
    is_competitor: bool = False
    personas: tuple[PersonaSpec, ...] = field(default_factory=tuple)


BRAND_TRAITS = ("科技前沿", "品质生活", "专业可信", "设计克制", "温暖有趣")

MARKET_POSITION = (
    "国内消费电子中高端品牌,主打真无线耳机、智能手表、快充配件与智能家居小件,价格带 199–1999 元。"
    "线上渠道占销售额约七成,与头部手机品牌错位竞争:不拼参数堆料,拼设计、续航与售后体验。"
)

OUR_ACCOUNTS: tuple[AccountSpec, ...] = (
    AccountSpec(
        key="wechat",
        platform="wechat_mp",
        handle="xingyao_tech",
        display_name="星曜科技",
        positioning="科技前沿,品质生活 —— 新品深度解读、技术科普与售后服务的品牌主阵地",
        brand_traits=BRAND_TRAITS,
        market_position=MARKET_POSITION
        + "公众号承担老用户留存与服务:会员积分、以旧换新、保修查询都从菜单进入。",
        style_rules=(
            "1. 工作日早 7:30 推送,头条做深度(新品解读 / 技术科普),次条放使用技巧或活动;周末只在大促期间推送。\n"
            "2. 标题不超过 22 个字,不用感叹号堆叠,不做标题党。\n"
            "3. 正文每 300 字左右配一张图,统一使用品牌色板(曜石黑、星光银、极光蓝)。\n"
            "4. 技术参数必须经产品经理核对,并注明测试条件;引用第三方数据须写明来源。\n"
            "5. 文末固定「星曜小课堂」栏目,「阅读原文」跳转官方商城对应商品页。"
        ),
        tone=(
            "像一位懂行的朋友:专业但不端着,讲原理时多用生活里的比喻。称呼读者为「曜友」。"
            "不用「最」「第一」「顶级」等广告法极限词;活动文案写清时间、门槛和规则。"
        ),
        notes="服务号,菜单:新品 / 会员 / 售后。每周三次条固定为「曜友问答」。",
        personas=(
            PersonaSpec(
                name="通勤路上的职场数码控",
                age_band="31-40",
                female_share=35,
                city_tiers=("tier1", "new_tier1"),
                interests=("数码评测", "效率工具", "商务出行", "智能家居"),
                active_hours=(7, 8, 20, 21),
                description="早高峰地铁上读推送、晚饭后再细看;决策理性,看重参数真实和售后,客单价高。",
            ),
            PersonaSpec(
                name="老用户与会员",
                age_band="25-30",
                female_share=48,
                city_tiers=("new_tier1", "tier2"),
                interests=("会员福利", "以旧换新", "使用技巧"),
                active_hours=(8, 12, 21),
                description="已购买过星曜产品,关注固件更新、保修和积分兑换,是复购和口碑的主要来源。",
            ),
        ),
        profile=Profile(
            followers=80_000,
            new_per_day=150,
            churn=0.55,
            growth=0.25,
            weekly=(1.10, 1.08, 1.06, 1.05, 1.00, 0.70, 0.66),
            posts=(2, 0),
            impressions_per_follower=0.085,
            reach_share=0.78,
            likes=0.022,
            comments=0.004,
            shares=0.012,
            saves=0.009,
            clicks=0.016,
            leads=0.09,
            orders=0.10,
            coupons=0.45,
            order_value=520.0,
            campaign_lift=1.7,
            holiday_factor=0.58,
        ),
    ),
    AccountSpec(
        key="weibo",
        platform="weibo",
        handle="星曜科技官方微博",
        display_name="星曜科技",
        positioning="科技前沿,品质生活 —— 新品首发、热点互动与品牌活动的第一现场",
        brand_traits=BRAND_TRAITS,
        market_position=MARKET_POSITION + "微博负责声量:新品官宣、话题运营、抽奖互动和舆情第一响应。",
        style_rules=(
            "1. 工作日 3 条(10:00、12:30、20:30),周末 2 条;发布会和大促当天可加到 6 条。\n"
            "2. 每条带 1 个品牌话题 #星曜新品# 或活动话题,话题不超过 2 个。\n"
            "3. 配图 1 / 3 / 4 / 9 张,视频不超过 60 秒;长文用头条文章,不发长图。\n"
            "4. 蹭热点须与产品或科技相关,社会和灾难类热点一律不碰;转发抽奖须注明规则和开奖时间。\n"
            "5. 负面评论 2 小时内首次回应,涉及质量问题转客服私信跟进。"
        ),
        tone="轻快、接地气,可以玩梗但不油腻;回复评论像朋友聊天,称呼网友「曜友」;道歉时真诚具体,不打官腔。",
        notes="蓝V认证。大促期间与代言人、数码博主联动转发。",
        personas=(
            PersonaSpec(
                name="数码话题参与者",
                age_band="18-24",
                female_share=42,
                city_tiers=("new_tier1", "tier2", "tier3"),
                interests=("新品发布", "数码热点", "转发抽奖", "游戏"),
                active_hours=(12, 13, 21, 22, 23),
                description="大学生和刚工作的年轻人,午休和睡前刷微博,爱参与话题和抽奖,是声量的放大器。",
            ),
        ),
        profile=Profile(
            followers=150_000,
            new_per_day=260,
            churn=0.50,
            growth=0.20,
            weekly=(0.95, 0.95, 0.97, 0.98, 1.02, 1.12, 1.10),
            posts=(3, 2),
            impressions_per_follower=0.40,
            reach_share=0.62,
            likes=0.012,
            comments=0.003,
            shares=0.0025,
            saves=0.0008,
            clicks=0.004,
            leads=0.05,
            orders=0.06,
            coupons=0.50,
            order_value=430.0,
            campaign_lift=1.8,
            holiday_factor=0.82,
        ),
    ),
    AccountSpec(
        key="douyin",
        platform="douyin",
        handle="xingyao_official",
        display_name="星曜科技官方",
        positioning="科技前沿,品质生活 —— 30 秒看懂一个好产品,开箱、实测和直播带货",
        brand_traits=BRAND_TRAITS,
        market_position=MARKET_POSITION + "抖音是拉新和成交的主力:短视频种草,周四、周六晚直播,小黄车直连旗舰店。",
        style_rules=(
            "1. 竖屏 9:16,前 3 秒必须出现产品或结论,时长 15–45 秒;实测类可放宽到 90 秒。\n"
            "2. 工作日 1 条、周末 2 条,19:00–21:00 发布;每周四、周六 20:00 直播两小时。\n"
            "3. 字幕统一思源黑体,关键参数用品牌极光蓝高亮;背景音乐只用平台曲库可商用曲目。\n"
            "4. 对比测试不点名竞品,只展示自家产品前后代对比;续航、降噪数据标注测试环境。\n"
            "5. 挂车视频的价格与直播间一致,优惠信息写明截止时间。"
        ),
        tone="节奏快、口语化,开头直给结论,像身边懂数码的朋友在安利;少用专业术语,用「一句话说人话」解释参数。",
        notes="企业号,已开通抖音小店。直播由运营和客服轮班。",
        personas=(
            PersonaSpec(
                name="短视频种草党",
                age_band="18-24",
                female_share=40,
                city_tiers=("tier2", "tier3", "tier4"),
                interests=("开箱", "测评", "直播购物", "游戏", "运动"),
                active_hours=(12, 13, 19, 20, 21, 22, 23),
                description="午休和晚上刷视频,看到有趣的实测就下单,价格敏感,喜欢直播间的限时福利。",
            ),
            PersonaSpec(
                name="小镇新中产",
                age_band="31-40",
                female_share=52,
                city_tiers=("tier3", "tier4"),
                interests=("家居好物", "亲子", "性价比"),
                active_hours=(12, 20, 21, 22),
                description="给家人挑礼物和家居小件,信任直播讲解和真实评价,复购集中在节假日。",
            ),
        ),
        profile=Profile(
            followers=300_000,
            new_per_day=560,
            churn=0.45,
            growth=0.30,
            weekly=(0.90, 0.88, 0.90, 0.95, 1.05, 1.25, 1.22),
            posts=(1, 2),
            impressions_per_follower=0.70,
            reach_share=0.74,
            likes=0.030,
            comments=0.0035,
            shares=0.0025,
            saves=0.004,
            clicks=0.006,
            leads=0.02,
            orders=0.035,
            coupons=0.60,
            order_value=360.0,
            campaign_lift=1.9,
            holiday_factor=0.86,
        ),
    ),
    AccountSpec(
        key="xhs",
        platform="xiaohongshu",
        handle="95270331",
        display_name="星曜生活研究所",
        positioning="科技前沿,品质生活 —— 桌面美学、通勤好物和真实使用笔记",
        brand_traits=BRAND_TRAITS,
        market_position=MARKET_POSITION
        + "小红书做口碑与搜索:用真实场景笔记占住「降噪耳机推荐」「桌面好物」等关键词。",
        style_rules=(
            "1. 每天 1 篇笔记,封面 3:4,首图为真实使用场景,不用纯白底产品图。\n"
            "2. 标题 20 字以内,带一个具体场景或痛点(如「通勤 2 小时」「宿舍桌面」),可用 1–2 个表情。\n"
            "3. 正文分段,用「✅」列要点,结尾引导收藏和评论区提问;每篇 5–8 个话题标签。\n"
            "4. 合作笔记必须标注「合作」并走平台报备;不写「全网最低」「闭眼入」等极限和诱导用语。\n"
            "5. 评论区提问 24 小时内回复,产品问题引导到店铺客服。"
        ),
        tone="真诚、细腻,以「我们实验室的小伙伴」的视角分享体验,有审美也有温度;承认产品的不足,不硬广。",
        notes="品牌号。与 30 位腰部博主保持长期合作,每月一次「好物开箱」合集。",
        personas=(
            PersonaSpec(
                name="精致通勤女生",
                age_band="25-30",
                female_share=78,
                city_tiers=("tier1", "new_tier1"),
                interests=("好物分享", "桌面美学", "通勤穿搭", "健身"),
                active_hours=(8, 12, 13, 21, 22, 23),
                description="一线城市白领,下单前必搜小红书,看重颜值和真实体验,愿意为设计溢价买单。",
            ),
            PersonaSpec(
                name="宿舍学生党",
                age_band="18-24",
                female_share=70,
                city_tiers=("new_tier1", "tier2"),
                interests=("学习效率", "宿舍好物", "平价替代"),
                active_hours=(12, 22, 23),
                description="开学季和大促集中购买,爱收藏攻略笔记,评论区提问多。",
            ),
        ),
        profile=Profile(
            followers=40_000,
            new_per_day=68,
            churn=0.35,
            growth=0.35,
            weekly=(0.92, 0.90, 0.92, 0.95, 1.00, 1.20, 1.18),
            posts=(1, 1),
            impressions_per_follower=0.60,
            reach_share=0.80,
            likes=0.030,
            comments=0.005,
            shares=0.003,
            saves=0.022,
            clicks=0.003,
            leads=0.12,
            orders=0.08,
            coupons=0.55,
            order_value=580.0,
            campaign_lift=1.6,
            holiday_factor=0.80,
        ),
    ),
)

# Fictional brands; their figures are the public counts a team can copy off the profile page.
COMPETITORS: tuple[AccountSpec, ...] = (
    AccountSpec(
        key="rival_weibo",
        platform="weibo",
        handle="澜岳数码",
        display_name="澜岳数码",
        is_competitor=True,
        positioning="年轻人的第一副好耳机",
        brand_traits=("性价比", "年轻潮流", "明星代言"),
        market_position="以 99–399 元真无线耳机起家的互联网品牌,靠明星代言和高频抽奖做声量,正在向智能手表扩张。",
        style_rules="",
        tone="",
        notes="抽奖转发量大但评论质量一般;关注其新品节奏和代言人动向。",
        profile=Profile(
            followers=220_000,
            new_per_day=300,
            churn=0.55,
            growth=0.15,
            weekly=(0.96, 0.96, 0.98, 0.98, 1.02, 1.10, 1.08),
            posts=(4, 3),
            impressions_per_follower=0.35,
            reach_share=0.6,
            likes=0.010,
            comments=0.0025,
            shares=0.004,
            saves=0.0005,
            clicks=0.0,
            leads=0.0,
            orders=0.0,
            coupons=0.0,
            order_value=0.0,
            campaign_lift=1.3,
            holiday_factor=0.85,
        ),
    ),
    AccountSpec(
        key="rival_douyin",
        platform="douyin",
        handle="youxin_smart",
        display_name="柚芯智能",
        is_competitor=True,
        positioning="智能生活,一键开启",
        brand_traits=("智能家居", "直播带货", "低价"),
        market_position="智能家居与穿戴的白牌整合商,抖音直播间日播,价格带 59–699 元,主打爆款低价。",
        style_rules="",
        tone="",
        notes="日播直播间,场均在线 2000 左右;短视频以剧情植入为主。",
        profile=Profile(
            followers=520_000,
            new_per_day=1100,
            churn=0.50,
            growth=0.25,
            weekly=(0.90, 0.88, 0.90, 0.95, 1.05, 1.24, 1.22),
            posts=(2, 3),
            impressions_per_follower=0.6,
            reach_share=0.7,
            likes=0.022,
            comments=0.002,
            shares=0.0015,
            saves=0.002,
            clicks=0.0,
            leads=0.0,
            orders=0.0,
            coupons=0.0,
            order_value=0.0,
            campaign_lift=1.35,
            holiday_factor=0.9,
        ),
    ),
    AccountSpec(
        key="rival_xhs",
        platform="xiaohongshu",
        handle="88150426",
        display_name="声屿音频",
        is_competitor=True,
        positioning="为通勤而生的降噪耳机",
        brand_traits=("降噪", "极简设计", "通勤"),
        market_position="专注降噪耳机的新锐品牌,价格带 499–1299 元,与我们的耳机线直接竞争,小红书博主合作密集。",
        style_rules="",
        tone="",
        notes="每周 5–6 篇笔记,合作笔记占比高;重点看「降噪耳机推荐」关键词下的排名。",
        profile=Profile(
            followers=60_000,
            new_per_day=120,
            churn=0.40,
            growth=0.30,
            weekly=(0.92, 0.90, 0.92, 0.95, 1.00, 1.18, 1.16),
            posts=(1, 1),
            impressions_per_follower=0.55,
            reach_share=0.8,
            likes=0.026,
            comments=0.004,
            shares=0.003,
            saves=0.018,
            clicks=0.0,
            leads=0.0,
            orders=0.0,
            coupons=0.0,
            order_value=0.0,
            campaign_lift=1.3,
            holiday_factor=0.8,
        ),
    ),
)

ALL_ACCOUNTS: tuple[AccountSpec, ...] = OUR_ACCOUNTS + COMPETITORS

# Competitors' figures are only what their public profile shows; the rest is unknown (None).
COMPETITOR_FIELDS = ("followers_total", "likes", "comments", "shares", "posts")
METRIC_FIELDS = (
    "followers_total",
    "new_followers",
    "lost_followers",
    "impressions",
    "reach",
    "likes",
    "comments",
    "shares",
    "saves",
    "link_clicks",
    "leads",
    "coupon_redemptions",
    "orders",
    "revenue",
    "posts",
)


# ---- the calendar: history window, campaign, holiday ---------------------------------------------


@dataclass(frozen=True)
class Period:
    """A named stretch of days, both ends included."""

    name: str
    start: dt.date
    end: dt.date

    def __contains__(self, day: object) -> bool:
        return isinstance(day, dt.date) and self.start <= day <= self.end


@dataclass(frozen=True)
class DemoCalendar:
    """The dates everything in the demo hangs on, all relative to ``today``."""

    today: dt.date
    start: dt.date  # first day with metrics
    end: dt.date  # last day with metrics (yesterday)
    campaign: Period
    holiday: Period

    @property
    def days(self) -> list[dt.date]:
        return [self.start + dt.timedelta(days=i) for i in range((self.end - self.start).days + 1)]


# Shopping festivals a consumer-electronics brand pushes for two weeks (month, day of the last day).
CAMPAIGNS: tuple[tuple[str, int, int], ...] = (
    ("年货节焕新季", 1, 19),
    ("3·8 焕新节", 3, 8),
    ("618 年中大促", 6, 18),
    ("双11 狂欢季", 11, 11),
)
CAMPAIGN_DAYS = 14
# Public holidays by a fixed rule (the golden week first); enough for a dip in the demo.
HOLIDAYS: tuple[tuple[str, int, int, int], ...] = (
    ("国庆黄金周", 10, 1, 7),
    ("劳动节假期", 5, 1, 5),
    ("元旦假期", 1, 1, 3),
)


def demo_calendar(today: dt.date) -> DemoCalendar:
    """The history window ending yesterday, its latest complete campaign and its holiday."""
    start = today - dt.timedelta(days=HISTORY_DAYS)
    end = today - dt.timedelta(days=1)
    # The campaign must have ended at least a week ago, so its effect and its aftermath both show.
    latest_end = end - dt.timedelta(days=7)
    campaigns: list[Period] = []
    for year in (today.year - 1, today.year):
        for name, month, day in CAMPAIGNS:
            last = dt.date(year, month, day)
            first = last - dt.timedelta(days=CAMPAIGN_DAYS - 1)
            if first >= start + dt.timedelta(days=14) and last <= latest_end:
                campaigns.append(Period(f"{year} {name}", first, last))
    # The window always holds one: festivals are at most 146 days apart and the window is 180.
    campaign = max(campaigns, key=lambda p: p.end)
    holidays: list[Period] = []
    for name, month, first_day, last_day in HOLIDAYS:
        for year in (today.year, today.year - 1):
            period = Period(f"{year} {name}", dt.date(year, month, first_day), dt.date(year, month, last_day))
            if start <= period.start and period.end <= end:
                holidays.append(period)
                break
    # The rule order prefers the golden week; the window always holds one of the three.
    holiday = holidays[0]
    return DemoCalendar(today=today, start=start, end=end, campaign=campaign, holiday=holiday)


# ---- the figures ----------------------------------------------------------------------------------


def _noise(rng: random.Random, spread: float) -> float:
    """A multiplicative wobble around 1, clipped so a bad draw never flips a figure's sign."""
    return min(max(rng.gauss(1.0, spread), 1.0 - 3 * spread), 1.0 + 3 * spread)


def _count(value: float) -> int:
    return max(0, round(value))


def generate_metrics(spec: AccountSpec, calendar: DemoCalendar) -> list[tuple[dt.date, dict[str, Any]]]:
    """One account's daily figures over the history window, deterministic for a given ``today``."""
    p = spec.profile
    rng = random.Random(f"{SEED}:{spec.key}")
    days = calendar.days
    n = len(days)
    campaign = calendar.campaign
    after_campaign = Period("", campaign.end + dt.timedelta(days=1), campaign.end + dt.timedelta(days=7))
    holiday = calendar.holiday

    rows: list[dict[str, Any]] = []
    for i, day in enumerate(days):
        trend = 1.0 + p.growth * i / (n - 1)
        weekday = p.weekly[day.weekday()]
        weekend = day.weekday() >= 5
        lift = 1.0
        if day in campaign:
            # The push builds up to the last day (the festival itself), like real presales.
            progress = (day - campaign.start).days / max(1, (campaign.end - campaign.start).days)
            lift = 1.0 + (p.campaign_lift - 1.0) * (0.6 + 0.8 * progress)
        seasonal = p.holiday_factor if day in holiday else 1.0
        activity = trend * weekday * lift * seasonal

        new = _count(p.new_per_day * activity * _noise(rng, 0.12))
        churn = p.churn * (1.6 if day in after_campaign else 1.0)  # deal hunters leave after the push
        lost = _count(new * churn * _noise(rng, 0.15) if day not in holiday else p.new_per_day * p.churn * 0.9)

        posts = p.posts[1] if weekend else p.posts[0]
        if day in campaign:
            posts += 1
        if spec.platform == "wechat_mp" and weekend and day not in campaign:
            posts = 1 if rng.random() < 0.15 else 0
        rows.append({"new": new, "lost": lost, "activity": activity, "lift": lift, "posts": posts})

    # Work backwards from the size the account should have now, so the totals are always plausible.
    net = sum(r["new"] - r["lost"] for r in rows)
    followers = round(p.followers * rng.uniform(0.97, 1.03)) - net

    result: list[tuple[dt.date, dict[str, Any]]] = []
    for day, r in zip(days, rows, strict=True):
        followers += r["new"] - r["lost"]
        impressions = followers * p.impressions_per_follower * r["activity"] * _noise(rng, 0.15)
        if r["posts"] == 0:
            impressions *= 0.35  # older posts keep being read, far less
        clicks = impressions * p.clicks * (1.0 + (r["lift"] - 1.0) * 1.5) * _noise(rng, 0.18)
        orders = clicks * p.orders * (1.0 + (r["lift"] - 1.0) * 1.2) * _noise(rng, 0.2)
        order_count = _count(orders)
        figures: dict[str, Any] = {
            "followers_total": followers,
            "new_followers": r["new"],
            "lost_followers": r["lost"],
            "impressions": _count(impressions),
            "reach": _count(impressions * p.reach_share * _noise(rng, 0.04)),
            "likes": _count(impressions * p.likes * _noise(rng, 0.15)),
            "comments": _count(impressions * p.comments * _noise(rng, 0.2)),
            "shares": _count(impressions * p.shares * _noise(rng, 0.2)),
            "saves": _count(impressions * p.saves * _noise(rng, 0.2)),
            "link_clicks": _count(clicks),
            "leads": _count(clicks * p.leads * _noise(rng, 0.25)),
            "coupon_redemptions": _count(order_count * p.coupons * (1.4 if r["lift"] > 1 else 1.0) * _noise(rng, 0.2)),
            "orders": order_count,
            "revenue": Decimal(f"{order_count * p.order_value * _noise(rng, 0.08):.2f}"),
            "posts": r["posts"],
        }
        if spec.is_competitor:
            figures = {k: (v if k in COMPETITOR_FIELDS else None) for k, v in figures.items()}
        result.append((day, figures))
    return result


def generate_all(today: dt.date) -> dict[str, list[tuple[dt.date, dict[str, Any]]]]:
    """Every demo account's figures, keyed by the account's spec key."""
    calendar = demo_calendar(today)
    return {spec.key: generate_metrics(spec, calendar) for spec in ALL_ACCOUNTS}
