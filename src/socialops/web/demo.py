"""The demo workspace 「星曜科技」: accounts, personas, 180 days of metrics, goals and strategies.

Its content operation (themes, media, the backlog, post history and the publishing plan) is
seeded by demo_content.py, its pictures and clips drawn by demo_media.py.

Everything is generated from a fixed random seed and dated relative to ``today`` (Asia/Shanghai),
so the demo always looks current and two seeds on the same day hold identical figures. Rows are
written only through the apps' services with ``actor=None`` (the system), so every write is
validated and audited like a person's would be.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import random
import zoneinfo
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from socialops.workspaces.roles import Role

if TYPE_CHECKING:
    from .demo_content import DemoContent

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


def demo_user_labels() -> list[tuple[str, str]]:
    """Each demo login with its role as people read it (for the command's closing message)."""
    labels: list[tuple[str, str]] = []
    for username, role, expert in DEMO_USERS:
        label = str(Role(role).label)
        if expert:
            label = _("%(role)s, subject expert") % {"role": label}
        labels.append((username, label))
    return labels


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
    campaign_lift: float  # how much harder the campaign pushes this account's activity
    holiday_factor: float  # activity during the golden week, relative to normal
    # The funnel; competitors' funnels are not public, so theirs stay at zero.
    clicks: float = 0.0  # link clicks per impression
    leads: float = 0.0  # per link click
    orders: float = 0.0  # per link click
    coupons: float = 0.0  # coupon redemptions per order
    order_value: float = 0.0  # average order value in CNY
    # How the interaction rates drift over the history: 小红书 notes are getting better, while
    # 公众号 readers, like everyone's, interact a little less each month.
    rate_drift: float = 0.0


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
            rate_drift=-0.08,
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
        market_position=MARKET_POSITION
        + "抖音是拉新和成交的主力:短视频种草,周四、周六晚直播,小黄车直连旗舰店。",
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
            rate_drift=0.30,
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
            campaign_lift=1.3,
            holiday_factor=0.8,
        ),
    ),
)

ALL_ACCOUNTS: tuple[AccountSpec, ...] = OUR_ACCOUNTS + COMPETITORS

# Competitors' figures are only what their public profile shows; the rest is unknown (None).
COMPETITOR_FIELDS = ("followers_total", "likes", "comments", "shares", "posts")


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
# 4·20 is the (fictional) brand's own anniversary sale, 星曜品牌日.
CAMPAIGNS: tuple[tuple[str, int, int], ...] = (
    ("年货节焕新季", 1, 19),
    ("3·8 焕新节", 3, 8),
    ("4·20 星曜品牌日", 4, 20),
    ("618 年中大促", 6, 18),
    ("开学季", 9, 2),
    ("双11 狂欢季", 11, 11),
)
CAMPAIGN_DAYS = 14
# The campaign ends this many days before today, so the goals' forecasts (fitted to the last 8
# weeks, see goals/forecast.py) judge the team's ordinary pace, not a two-week sale.
CAMPAIGN_CLEARANCE = 64
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
    latest_end = today - dt.timedelta(days=CAMPAIGN_CLEARANCE)
    campaigns: list[Period] = []
    for year in (today.year - 1, today.year):
        for name, month, day in CAMPAIGNS:
            last = dt.date(year, month, day)
            first = last - dt.timedelta(days=CAMPAIGN_DAYS - 1)
            # Two clean weeks before it, for the strategy's before/after comparison.
            if first >= start + dt.timedelta(days=14) and last <= latest_end:
                campaigns.append(Period(f"{year} {name}", first, last))
    # There is always one: the allowed ends span 90 days and the festivals are at most 76 apart.
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
        if day in holiday:
            # Unfollows take no holiday: the usual number leave while far fewer arrive.
            lost = _count(p.new_per_day * trend * p.churn * _noise(rng, 0.15))
        else:
            churn = p.churn * (1.6 if day in after_campaign else 1.0)  # deal hunters leave after the push
            lost = _count(new * churn * _noise(rng, 0.15))

        posts = p.posts[1] if weekend else p.posts[0]
        if day in campaign:
            posts += 1
        if spec.platform == "wechat_mp" and weekend and day not in campaign:
            posts = 1 if rng.random() < 0.15 else 0
        engage = 1.0 + p.rate_drift * i / (n - 1)
        rows.append(
            {"new": new, "lost": lost, "activity": activity, "lift": lift, "posts": posts, "engage": engage}
        )

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
            "likes": _count(impressions * p.likes * r["engage"] * _noise(rng, 0.15)),
            "comments": _count(impressions * p.comments * r["engage"] * _noise(rng, 0.2)),
            "shares": _count(impressions * p.shares * r["engage"] * _noise(rng, 0.2)),
            "saves": _count(impressions * p.saves * r["engage"] * _noise(rng, 0.2)),
            "link_clicks": _count(clicks),
            "leads": _count(clicks * p.leads * _noise(rng, 0.25)),
            "coupon_redemptions": _count(
                order_count * p.coupons * (1.4 if r["lift"] > 1 else 1.0) * _noise(rng, 0.2)
            ),
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


# ---- seeding --------------------------------------------------------------------------------------


@dataclass
class DemoResult:
    """What a seed created, for the command to print and the tests to check."""

    workspace: Any
    users: dict[str, Any]
    accounts: dict[str, Any]
    goals: dict[str, Any]
    strategies: dict[str, Any]
    snapshots: int
    password: str
    calendar: DemoCalendar
    content: DemoContent


def demo_workspace() -> Any:
    """The demo workspace, or None when it has not been seeded."""
    from socialops.workspaces.models import Workspace

    return Workspace.objects.filter(slug=DEMO_SLUG).first()


@transaction.atomic
def demo_delete() -> bool:
    """Delete the demo workspace with everything in it, and the demo users who belong nowhere else."""
    from django.contrib.auth import get_user_model

    from socialops.workspaces.audit import audit_record, snapshot
    from socialops.workspaces.models import Membership

    workspace = demo_workspace()
    if workspace is None:
        return False
    user_ids = list(Membership.objects.filter(workspace=workspace).values_list("user_id", flat=True))
    # A person who also works in another workspace keeps their login; only the demo's own go.
    elsewhere = set(
        Membership.objects.filter(user_id__in=user_ids)
        .exclude(workspace=workspace)
        .values_list("user_id", flat=True)
    )
    users = get_user_model().objects.filter(pk__in=set(user_ids) - elsewhere)
    audit_record(
        workspace=None,
        actor=None,
        action="workspace.delete",
        obj=workspace,
        before={**snapshot(workspace), "users": sorted(users.values_list("username", flat=True))},
    )
    workspace.delete()
    users.delete()
    return True


def _seed_users(workspace: Any, password: str) -> dict[str, Any]:
    from socialops.workspaces import services

    users: dict[str, Any] = {}
    for username, role, expert in DEMO_USERS:
        user = services.user_create(
            actor=None, username=username, password=password, email=f"{username}@xingyao-tech.example"
        )
        services.membership_add(
            workspace=workspace, actor=None, user=user, role=role, is_subject_expert=expert
        )
        users[username] = user
    return users


def _seed_accounts(workspace: Any) -> dict[str, Any]:
    from socialops.accounts import services

    accounts: dict[str, Any] = {}
    for spec in ALL_ACCOUNTS:
        account = services.account_create(
            workspace=workspace,
            actor=None,
            platform=spec.platform,
            handle=spec.handle,
            display_name=spec.display_name,
            is_competitor=spec.is_competitor,
            positioning=spec.positioning,
            brand_traits=spec.brand_traits,
            market_position=spec.market_position,
            style_rules=spec.style_rules,
            tone=spec.tone,
            notes=spec.notes,
        )
        for persona in spec.personas:
            services.persona_create(
                workspace=workspace,
                actor=None,
                account=account,
                name=persona.name,
                age_band=persona.age_band,
                female_share=persona.female_share,
                city_tiers=persona.city_tiers,
                interests=persona.interests,
                active_hours=persona.active_hours,
                description=persona.description,
            )
        accounts[spec.key] = account
    return accounts


def _seed_metrics(workspace: Any, accounts: dict[str, Any], calendar: DemoCalendar) -> int:
    from socialops.goals.services.metrics import snapshots_upsert_many

    rows: list[tuple[Any, dt.date, dict[str, Any]]] = []
    for spec in ALL_ACCOUNTS:
        for day, figures in generate_metrics(spec, calendar):
            rows.append((accounts[spec.key], day, figures))
    snapshots_upsert_many(workspace=workspace, actor=None, rows=rows, source=METRICS_SOURCE)
    return len(rows)


# ---- goals and strategies -------------------------------------------------------------------------

ON_TRACK, AT_RISK, OFF_TRACK = "on_track", "at_risk", "off_track"
OUR_KEYS = tuple(spec.key for spec in OUR_ACCOUNTS)


@dataclass(frozen=True)
class GoalSpec:
    """A goal of the demo and the status it is tuned to show on the day of seeding."""

    key: str
    kind: str
    name: str
    metric: str
    accounts: tuple[str, ...]
    owner: str
    status: str
    description: str


GOALS: tuple[GoalSpec, ...] = (
    GoalSpec(
        key="growth",
        kind="growth",
        name="抖音净增粉冲刺",
        metric="net_growth",
        accounts=("douyin",),
        owner="operator",
        status=ON_TRACK,
        description="抖音是拉新主阵地。本期靠晚高峰发布和周末双更拉新,同时盯住取关:净增粉 = 新增 − 取关。",
    ),
    GoalSpec(
        key="dissemination",
        kind="dissemination",
        name="全平台内容曝光量",
        metric="impressions",
        accounts=OUR_KEYS,
        owner="operator",
        status=AT_RISK,
        description="公众号、微博、抖音、小红书合计曝光。公众号打开率下滑拖了后腿,需要靠短视频和小红书补量。",
    ),
    GoalSpec(
        key="conversion",
        kind="conversion",
        name="全渠道优惠券核销",
        metric="coupon_redemptions",
        accounts=OUR_KEYS,
        owner="admin",
        status=OFF_TRACK,
        description="社媒专属券(满 299 减 30、以旧换新券)在旗舰店的核销量。目标按年度经营计划拆解,当前节奏明显不够。",
    ),
    GoalSpec(
        key="xhs_new",
        kind="growth",
        name="小红书新增关注",
        metric="new_followers",
        accounts=("xhs",),
        owner="operator",
        status=ON_TRACK,
        description="小红书新增关注人数,主要来自搜索流量(「降噪耳机推荐」「桌面好物」)和博主合作笔记的引流。",
    ),
    GoalSpec(
        key="xhs_rate",
        kind="dissemination",
        name="小红书笔记互动率提升",
        metric="interaction_rate",
        accounts=("xhs",),
        owner="analyst",
        status=ON_TRACK,
        description="互动率 = (点赞 + 评论 + 分享 + 收藏) ÷ 曝光。靠真实场景封面和评论区答疑把互动率做上去。",
    ),
    GoalSpec(
        key="wechat_followers",
        kind="growth",
        name="公众号粉丝总数",
        metric="followers_total",
        accounts=("wechat",),
        owner="operator",
        status=ON_TRACK,
        description="公众号关注人数(期末当天的总数)。公众号已连接沙盒平台,每 15 分钟同步一次的粉丝数会直接推动这个目标。",
    ),
    GoalSpec(
        key="douyin_gmv",
        kind="conversion",
        name="抖音小店成交额",
        metric="revenue",
        accounts=("douyin",),
        owner="admin",
        status=AT_RISK,
        description="抖音小店中由短视频挂车和直播间带来的成交额(元),不含其他渠道。",
    ),
)


BASELINE_NOTE = "\n基线:上一个同样长度周期的日常水平(不含大促期间)。"


def goal_period(today: dt.date) -> tuple[dt.date, dt.date]:
    """Three calendar months starting with the month of ``today`` − 40 days.

    The demo's goals are always six to ten weeks in, so they have figures to judge and a few
    weeks left to forecast, whatever day it is seeded.
    """
    anchor = today - dt.timedelta(days=40)
    start = anchor.replace(day=1)
    month = start.month + 3
    year = start.year + (month - 1) // 12
    end = dt.date(year, (month - 1) % 12 + 1, 1) - dt.timedelta(days=1)
    return start, end


def _floor_step(value: float, step: float) -> float:
    return math.floor(value / step) * step


def _ceil_step(value: float, step: float) -> float:
    return math.ceil(value / step) * step


def _nice_step(value: float, digits: int) -> float:
    """The place value of the ``digits``-th significant digit of ``value`` (at least 1)."""
    if value <= 0:
        return 1.0
    return max(1.0, 10 ** (math.floor(math.log10(value)) - digits + 1))


def tuned_target(
    status: str, low: float, high: float, *, rate: bool, baseline: float | None = None
) -> Decimal:
    """A round target the forecast band (low, high) judges as ``status`` (see goals.selectors._status).

    on track: the target is below the band's low end (and above the baseline when the band
    allows it: nobody sets a target below where they start); at risk: inside the band; off
    track: above its high end. Rates are fractions stored to 0.01 percentage points.
    """
    if rate:
        fine = 0.0001
        if status == ON_TRACK:
            value = _floor_step(low * 0.985, 0.001)
        elif status == OFF_TRACK:
            value = _ceil_step(high * 1.03, 0.001)
        else:
            value = round((low + high) / 2 / fine) * fine
        return Decimal(f"{value:.4f}")
    if status == ON_TRACK:
        raw = low * 0.98
        value = _floor_step(raw, _nice_step(raw, 3))
        if baseline is not None and value <= baseline < low:
            for digits in (3, 4, 5):
                step = _nice_step(low, digits)
                above = (math.floor(baseline / step) + 1) * step
                if above <= low:
                    value = above
                    break
    elif status == OFF_TRACK:
        raw = high * 1.15
        value = _ceil_step(raw, _nice_step(raw, 2))
    else:
        mid = (low + high) / 2
        value = float(round(mid))
        for digits in (2, 3, 4):
            step = _nice_step(mid, digits)
            candidate = round(mid / step) * step
            if low < candidate < high:
                value = candidate
                break
    return Decimal(f"{value:.2f}")


class _Rollback(Exception):
    """Raised to undo a probe goal (created only to read its forecast)."""


def _forecast_band(*, workspace: Any, viewer: Any, today: dt.date, **goal: Any) -> tuple[float, float]:
    """The 80% forecast range of a goal as the goals app computes it, without keeping the goal.

    The forecast does not depend on the target, so a throw-away goal with any valid target is
    created in a savepoint, judged, and rolled back.
    """
    from socialops.goals.selectors.goals import goal_progress
    from socialops.goals.services.goals import goal_create

    band: tuple[float, float] | None = None
    try:
        with transaction.atomic():
            probe = goal_create(workspace=workspace, actor=None, **goal)
            progress = goal_progress(workspace=workspace, user=viewer, goal=probe, today=today)
            if progress.forecast_low is not None and progress.forecast_high is not None:
                band = (progress.forecast_low, progress.forecast_high)
            raise _Rollback
    except _Rollback:
        pass
    if band is None:
        raise RuntimeError(f"no forecast for the demo goal {goal['name']}")
    return band


def _baseline(
    workspace: Any, metric: Any, accounts: list[Any], start: dt.date, end: dt.date, campaign: Period
) -> float:
    """Where the goal starts from: the previous, equally long period at its ordinary pace (a level:
    where it stood the day before the period).

    Campaign days are left out (a team sets targets on its run rate, not on last quarter's
    sale): a total is the ordinary daily mean times the period's length, a rate the ratio of the
    ordinary days' totals.
    """
    from socialops.goals.metrics import LEVEL, RATIO, SUM, metric_daily_series

    length = (end - start).days + 1
    before_end = start - dt.timedelta(days=1)
    before_start = before_end - dt.timedelta(days=length - 1)
    series = metric_daily_series(
        workspace=workspace, metric=metric, start=before_start, end=before_end, accounts=accounts
    )
    if series.metric.aggregation == LEVEL:
        # A level starts from where it stood when the period began.
        known = sorted(series.value)
        return series.value[known[-1]] if known else 0.0
    if series.metric.aggregation == RATIO:
        days = [d for d in series.num if d not in campaign]
        den = sum(series.den[d] for d in days)
        return sum(series.num[d] for d in days) / den if den else 0.0
    if series.metric.aggregation != SUM:
        raise ValueError(f"the demo has no baseline rule for {series.metric.key}")
    values = [v for d, v in series.value.items() if d not in campaign]
    return sum(values) / len(values) * length if values else 0.0


def _seed_goals(
    workspace: Any, users: dict[str, Any], accounts: dict[str, Any], calendar: DemoCalendar
) -> tuple[dict[str, Any], dict[str, Any]]:
    from socialops.goals.metrics import CATALOGUE
    from socialops.goals.services.goals import goal_create

    start, end = goal_period(calendar.today)
    viewer = users["admin"]
    goals: dict[str, Any] = {}
    for spec in GOALS:
        metric = CATALOGUE[spec.metric]
        goal_accounts = [accounts[key] for key in spec.accounts]
        rate = metric.is_rate
        baseline = _baseline(workspace, spec.metric, goal_accounts, start, end, calendar.campaign)
        fields: dict[str, Any] = {
            "kind": spec.kind,
            "name": spec.name,
            "metric": spec.metric,
            "period_start": start,
            "period_end": end,
            "owner": users[spec.owner],
            "accounts": goal_accounts,
            "description": spec.description + BASELINE_NOTE,
        }
        base = Decimal(f"{baseline:.4f}") if rate else Decimal(round(baseline))
        # Any valid target will do for the probe: above the baseline, positive, within [0, 1] for rates.
        probe_target = Decimal(1) if rate else base + 1
        low, high = _forecast_band(
            workspace=workspace,
            viewer=viewer,
            today=calendar.today,
            baseline=base,
            target=probe_target,
            **fields,
        )
        target = tuned_target(spec.status, low, high, rate=rate, baseline=float(base))
        if rate and base >= target:
            # A rate goal must aim above where it starts; keep the story (an improvement) intact.
            base = target - Decimal("0.0030")
        goals[spec.key] = goal_create(workspace=workspace, actor=None, baseline=base, target=target, **fields)
    strategies = _seed_strategies(workspace, users, goals, calendar, start, end)
    return goals, strategies


def _seed_strategies(
    workspace: Any,
    users: dict[str, Any],
    goals: dict[str, Any],
    calendar: DemoCalendar,
    start: dt.date,
    end: dt.date,
) -> dict[str, Any]:
    from socialops.goals.services.goals import strategy_create

    today = calendar.today
    campaign = calendar.campaign
    plans: list[dict[str, Any]] = [
        {
            "key": "campaign",
            "kind": "interactive",
            "name": f"{campaign.name}:满减券 + 直播加场",
            "goals": ("conversion", "douyin_gmv", "growth"),
            "start_date": campaign.start,
            "end_date": campaign.end,
            "owner": "admin",
            "description": (
                "两周全平台大促:社媒专属满 299 减 30 券,抖音直播从每周两场加到每天一场,"
                "微博转发抽奖送耳机,公众号每天推送活动攻略。活动后一周注意取关回落。"
            ),
        },
        {
            "key": "content",
            "kind": "content",
            "name": "「星曜小课堂」科普系列",
            "goals": ("dissemination", "xhs_new"),
            "start_date": start,
            "end_date": end,
            "owner": "operator",
            "description": "每周三篇技术科普(降噪原理、快充安全、续航测试方法),公众号首发,拆成短视频和小红书图文分发。",
        },
        {
            "key": "publishing",
            "kind": "publishing",
            "name": "抖音晚高峰发布 + 周末双更",
            "goals": ("growth", "dissemination"),
            "start_date": start,
            "end_date": end,
            "owner": "operator",
            "description": "视频统一在 19:00–21:00 发布,周六周日各加一条;发布后 30 分钟内运营在评论区置顶答疑。",
        },
        {
            "key": "partner",
            "kind": "partner",
            "name": "小红书腰部博主合作计划",
            "goals": ("xhs_rate", "conversion"),
            "start_date": start - dt.timedelta(days=30),
            "end_date": end,
            "owner": "operator",
            "description": "每月合作 10 位 1–10 万粉丝的数码和生活方式博主,统一走平台报备,笔记挂品牌专属券。",
        },
        {
            "key": "event",
            "kind": "event",
            "name": "城市快闪体验店(上海、成都)",
            "goals": ("xhs_new", "conversion"),
            "start_date": today + dt.timedelta(days=10),
            "end_date": today + dt.timedelta(days=12),
            "owner": "community",
            "description": "线下快闪店现场扫码关注公众号领试听券,社群同步报名和签到;活动前两周开始预热。",
        },
    ]
    strategies: dict[str, Any] = {}
    for plan in plans:
        strategies[plan["key"]] = strategy_create(
            workspace=workspace,
            actor=None,
            kind=plan["kind"],
            name=plan["name"],
            goals=[goals[key] for key in plan["goals"]],
            start_date=plan["start_date"],
            end_date=plan["end_date"],
            description=plan["description"],
            owner=users[plan["owner"]],
        )
    return strategies


@transaction.atomic
def demo_seed(*, today: dt.date | None = None, password: str | None = None) -> DemoResult:
    """Create the demo workspace from scratch (the caller makes sure it does not exist yet)."""
    from socialops.workspaces import services

    from .demo_content import seed_content

    today = today or demo_today()
    password = password or demo_password()
    calendar = demo_calendar(today)
    workspace = services.workspace_create(
        actor=None, name=DEMO_NAME, slug=DEMO_SLUG, timezone=DEMO_TIMEZONE, locale=DEMO_LOCALE
    )
    users = _seed_users(workspace, password)
    accounts = _seed_accounts(workspace)
    snapshots = _seed_metrics(workspace, accounts, calendar)
    goals, strategies = _seed_goals(workspace, users, accounts, calendar)
    content = seed_content(workspace, users, accounts, calendar)
    return DemoResult(
        workspace=workspace,
        users=users,
        accounts=accounts,
        goals=goals,
        strategies=strategies,
        snapshots=snapshots,
        password=password,
        calendar=calendar,
        content=content,
    )
