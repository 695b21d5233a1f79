"""The demo's content operation: themes and their mix, media, the backlog, calendar, history and plan.

What 星曜科技's team would have in the product on an ordinary working day: the five themes with
a target mix per account, a media library of product cards and short clips, 39 content items in
all five forms (some with a version per platform), a hot topic and a brand event on the
marketing calendar, cadence and capacity rules, post history imported from the
platforms' exports (so the best hours are learned), and the next two weeks' publishing plan.

Like the rest of the demo, every row goes through the apps' services with ``actor=None``, and the
result depends only on the day: the history on ``today``, the forward-looking part on the first
day that can still be planned (see ``content_anchor``).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import re
from dataclasses import dataclass, field
from typing import Any

from . import demo_media as media
from .demo import OUR_ACCOUNTS, SEED, AccountSpec, DemoCalendar, demo_today, generate_metrics

PLAN_DAYS = 14

# ---- themes --------------------------------------------------------------------------------------

THEME_KEYS = ("industry_news", "product", "user_stories", "expert", "tips")

THEME_DESCRIPTIONS = {
    "industry_news": "真无线耳机、智能穿戴和快充行业的新闻、数据与趋势解读;引用数据必须写明来源。",
    "product": "新品发布、卖点解读、开箱和活动信息。参数以产品经理确认的版本为准。",
    "user_stories": "曜友的真实使用故事、晒单和评价;发布前取得本人授权,隐去个人信息。",
    "expert": "声学工程师、健康顾问等专业人士的观点与答疑;发布前需领域专家审核。",
    "tips": "上手教程、使用技巧、保养与售后小知识,长期有效,适合做成合集。",
}

# Percent per theme and account key: 公众号 is where depth lives (expert voices, industry
# reading), 抖音 sells and teaches, 小红书 is word of mouth and how-tos, 微博 a bit of everything.
THEME_TARGETS: dict[str, dict[str, int]] = {
    "wechat": {"industry_news": 25, "product": 20, "user_stories": 10, "expert": 30, "tips": 15},
    "weibo": {"industry_news": 20, "product": 30, "user_stories": 20, "expert": 10, "tips": 20},
    "douyin": {"industry_news": 5, "product": 40, "user_stories": 15, "expert": 5, "tips": 35},
    "xhs": {"industry_news": 5, "product": 20, "user_stories": 35, "expert": 5, "tips": 35},
}

# ---- cadence and capacity ------------------------------------------------------------------------


def _week(weekday: tuple[int, int], weekend: tuple[int, int]) -> dict[str, list[int]]:
    return {str(d): list(weekday if d <= 5 else weekend) for d in range(1, 8)}


CADENCE: dict[str, dict[str, Any]] = {
    # One push a weekday (a second one when there is news), at most one at the weekend.
    "wechat": {
        "posts_per_weekday": _week((1, 2), (0, 1)),
        "min_gap_minutes": 240,
        "quiet_start": dt.time(23, 0),
        "quiet_end": dt.time(7, 0),
        "form_limits": {"live": 0, "video": 1},
    },
    "weibo": {
        "posts_per_weekday": _week((3, 4), (3, 4)),
        "min_gap_minutes": 120,
        "quiet_start": dt.time(0, 0),
        "quiet_end": dt.time(8, 0),
        "form_limits": {"live": 1},
    },
    # Two live streams a week (Thursday and Saturday evening in the style rules).
    "douyin": {
        "posts_per_weekday": _week((1, 2), (1, 2)),
        "min_gap_minutes": 180,
        "quiet_start": dt.time(0, 0),
        "quiet_end": dt.time(9, 0),
        "form_limits": {"live": 2, "qa": 1},
    },
    "xhs": {
        "posts_per_weekday": _week((1, 1), (1, 1)),
        "min_gap_minutes": 120,
        "quiet_start": dt.time(0, 0),
        "quiet_end": dt.time(9, 0),
        "form_limits": {"live": 0},
    },
}
WORKSPACE_CAPACITY = 25  # items a week the whole team produces
OPERATOR_CAPACITY = 10  # what the one full-time operator writes and edits a week

# ---- media ---------------------------------------------------------------------------------------

IMAGES: dict[str, tuple[str, media.Card]] = {
    "x1pro": (
        "星曜X1Pro-产品主图.png",
        media.Card("earbuds", media.AURORA, media.WHITE, media.OBSIDIAN, "X1 Pro", "ANC 48 dB"),
    ),
    "watch_s2": (
        "星曜WatchS2-预热海报.png",
        media.Card("watch", media.OBSIDIAN, media.STARLIGHT, media.AURORA, "Watch S2", "14-day battery"),
    ),
    "charger": (
        "65W氮化镓快充-白底图.png",
        media.Card("charger", media.STARLIGHT, media.WHITE, media.AURORA, "65W GaN", "PD / PPS"),
    ),
    "tips": (
        "使用技巧-封面模板.png",
        media.Card("tips", (232, 240, 255), media.AURORA, media.MINT, "Tips", "XINGYAO Lab"),
    ),
    "commute": (
        "用户故事-通勤篇.png",
        media.Card("city", (36, 44, 78), media.STARLIGHT, media.CORAL, "On the way", "Stories"),
    ),
    "industry": (
        "行业观察-数据图.png",
        media.Card("chart", (245, 246, 248), media.AURORA, media.CORAL, "TWS 2025", "Market watch"),
    ),
    "live": (
        "直播预告-竖版封面.png",
        media.Card("live", media.OBSIDIAN, media.AURORA, media.WHITE, "LIVE 20:00", "Douyin"),
    ),
    "popup": (
        "城市快闪-主视觉.png",
        media.Card("store", (244, 241, 236), media.AURORA, media.CORAL, "Pop-up", "Shanghai / Chengdu"),
    ),
    "gift": (
        "节日送礼-合集封面.png",
        media.Card("gift", (255, 238, 232), media.CORAL, media.AURORA, "Gift guide", "XINGYAO picks"),
    ),
}

VIDEOS: dict[str, tuple[str, media.Card]] = {
    "anc_test": (
        "X1Pro-地铁降噪实测-竖版.mp4",
        media.Card("earbuds", media.AURORA, media.WHITE, media.OBSIDIAN, "ANC test", "Metro, 80 dB"),
    ),
    "dual_link": (
        "X1Pro-双设备连接教程.mp4",
        media.Card("earbuds", (232, 240, 255), media.AURORA, media.MINT, "Dual link", "Phone + laptop"),
    ),
    "charger_unbox": (
        "65W快充-开箱.mp4",
        media.Card("charger", media.STARLIGHT, media.WHITE, media.AURORA, "Unboxing", "65W GaN"),
    ),
    "watch_teaser": (
        "WatchS2-官方预告.mp4",
        media.Card("watch", media.OBSIDIAN, media.STARLIGHT, media.AURORA, "Watch S2", "Coming soon"),
    ),
    "transparency": (
        "一句话说人话-通透模式.mp4",
        media.Card("tips", (232, 240, 255), media.AURORA, media.CORAL, "Ambient", "In 30 s"),
    ),
    "rider": (
        "曜友跟拍-骑手的一天.mp4",
        media.Card("city", (36, 44, 78), media.STARLIGHT, media.CORAL, "A day out", "Rider story"),
    ),
    "sleep": (
        "睡眠报告怎么看.mp4",
        media.Card("watch", (20, 24, 48), media.STARLIGHT, media.MINT, "Sleep", "Read the report"),
    ),
}


# ---- items ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VariantSpec:
    """An item's version for one account; text may use the same {placeholders} as the item."""

    account: str
    title: str = ""
    body: str = ""
    digest: str = ""
    author: str = ""
    hashtags: tuple[str, ...] = ()
    link_url: str = ""
    media: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ItemSpec:
    """One content item of the backlog.

    ``due`` is days after the anchor, or the name of a date of the season (``festival``,
    ``festival2``, ``hot_end``, ``event_start``, ``event_end``, ``live1``, ``live2``); None means evergreen.
    ``link`` ties the item to the next festival (or the one after), the hot topic or the brand event.
    """

    key: str
    form: str
    theme: str
    owner: str
    title: str
    accounts: tuple[str, ...]
    due: int | str | None
    importance: str = "normal"
    link: str | None = None
    digest: str = ""
    body: str = ""
    cover: str | None = None
    images: tuple[str, ...] = ()
    video: str | None = None
    live: str | None = None  # "live1" | "live2": the stream's start
    live_host: str = ""
    live_outline: str = ""
    variants: tuple[VariantSpec, ...] = ()


STORE = "https://www.xingyao-tech.example"
WECHAT_EXTRA = {"need_open_comment": True, "only_fans_can_comment": False}

ITEMS: tuple[ItemSpec, ...] = (
    # ---- 图文 (公众号 articles, teased on 微博 and noted on 小红书) ----------------------------
    ItemSpec(
        key="x1pro_deep_dive",
        form="article",
        theme="product",
        owner="operator",
        title="X1 Pro 深度解读:48dB 降噪是怎么做到的",
        accounts=("wechat", "weibo", "xhs"),
        due=6,
        importance="important",
        digest="三颗麦克风、一颗自研降噪芯片和 2000 小时的地铁实测:拆开讲讲 X1 Pro 的降噪。",
        cover="x1pro",
        images=("x1pro", "commute"),
        body="""# X1 Pro 深度解读:48dB 降噪是怎么做到的

曜友们好,X1 Pro 上市两周,后台被问得多的一句话是:「降噪到底有多强?」今天请声学团队把原理讲清楚。

![星曜 X1 Pro](asset:{img_x1pro})

## 三颗麦克风,各司其职

- **前馈麦克风**:在耳机外侧,提前「听到」地铁的低频轰鸣;
- **反馈麦克风**:在耳道口,检查还有多少噪声漏进来;
- **通话麦克风**:靠近嘴边,只在打电话时参与降噪。

## 自研芯片每秒调整 5 万次

降噪的本质是发出一段与噪声相位相反的声音。X1 Pro 的降噪芯片每秒计算 5 万次,耳道形状不同、佩戴松紧不同,都会实时修正。

## 我们是怎么测的

> 测试条件:上海地铁 2 号线车厢内,列车运行中,环境噪声约 80 dB(A);降噪深度为实验室 20 Hz–2 kHz 频段的峰值。

| 场景 | 关闭降噪 | 开启降噪 |
| --- | --- | --- |
| 地铁车厢 | 78 dB | 41 dB |
| 开放式办公室 | 62 dB | 35 dB |

![通勤路上](asset:{img_commute})

## 星曜小课堂

降噪开得越强,不一定越舒服。如果耳朵有闷胀感,可以在 App 里切到「自适应」档,它会根据环境自动调低强度。

点击「阅读原文」,了解 X1 Pro 的以旧换新活动。""",
        variants=(
            VariantSpec(
                account="wechat",
                title="X1 Pro 深度解读:48dB 降噪是怎么做到的",
                digest="三颗麦克风、一颗自研芯片和 2000 小时地铁实测,讲清楚 X1 Pro 的降噪。",
                author="星曜声学实验室",
                link_url=f"{STORE}/x1pro",
                media=("x1pro",),
                extra={**WECHAT_EXTRA, "content_source_url": f"{STORE}/x1pro"},
            ),
            VariantSpec(
                account="weibo",
                body=(
                    "#星曜X1Pro# #降噪耳机# 地铁车厢 78 分贝,戴上 X1 Pro 只剩 41 分贝。"
                    "三颗麦克风 + 自研降噪芯片,每秒调整 5 万次 🎧 原理和测试条件都写在这篇里 👉"
                ),
                hashtags=("星曜X1Pro", "降噪耳机"),
                link_url=f"{STORE}/x1pro",
                media=("x1pro",),
            ),
            VariantSpec(
                account="xhs",
                title="通勤党必看|降噪耳机到底降了什么 🚇",
                body=(
                    "实验室的小伙伴把 X1 Pro 带上了 2 号线,测了整整一周:\n"
                    "✅ 地铁车厢 78 分贝 → 41 分贝\n"
                    "✅ 开放式办公室基本听不到键盘声\n"
                    "✅ 耳朵闷的话切「自适应」档会舒服很多\n"
                    "也说说不足:风大的户外会有一点风噪,我们在下个固件里继续优化。\n"
                    "通勤路上,哪种噪音让你受不了?评论区告诉我们~"
                ),
                hashtags=("降噪耳机推荐", "通勤好物", "星曜X1Pro", "打工人通勤", "数码好物"),
                media=("x1pro", "commute"),
            ),
        ),
    ),
    ItemSpec(
        key="ear_pressure",
        form="article",
        theme="expert",
        owner="reviewer",
        title="降噪耳机戴久了耳朵胀?听听声学工程师怎么说",
        accounts=("wechat", "weibo"),
        due=12,
        digest="「耳压感」不是耳朵出了问题,而是大脑被低频的安静「骗」了。",
        cover="tips",
        body="""# 降噪耳机戴久了耳朵胀?听听声学工程师怎么说

很多曜友反馈:第一次戴降噪耳机,像坐飞机一样耳朵发胀。我们请声学工程师陈工来解释。

## 为什么会「胀」

主动降噪主要抵消 1 kHz 以下的低频噪声。低频突然消失,而中高频还在,大脑会误以为耳道内外有气压差,于是产生「耳压感」。它和真实的气压变化无关,对听力没有伤害。

## 三个缓解办法

1. **先从「自适应」档开始**,适应一周再开到深度降噪;
2. **换一副合适的耳塞**:太紧会放大闷胀感,包装里有 S/M/L 三种尺寸;
3. **每 60 分钟摘下休息 5 分钟**,这也是保护听力的好习惯。

## 什么时候要留意

如果摘下耳机后仍然耳鸣、耳痛超过一天,请及时就医,不要自行判断。

*本文由星曜声学实验室撰写,经耳鼻喉科医生审阅。*""",
    ),
    ItemSpec(
        key="tws_market",
        form="article",
        theme="industry_news",
        owner="analyst",
        title="开放式耳机为什么突然火了?TWS 市场的两条路",
        accounts=("wechat", "weibo"),
        due=9,
        digest="降噪入耳式和开放式,正在把真无线耳机市场分成两种生活方式。",
        cover="industry",
        images=("industry",),
        body="""# 开放式耳机为什么突然火了?TWS 市场的两条路

过去一年,真无线耳机(TWS)的讨论里出现频率越来越高的一个词是「开放式」。

![行业观察](asset:{img_industry})

## 两种需求,两条路线

- **降噪入耳式**:解决通勤和办公的噪声问题,用户看重的是降噪深度和佩戴舒适度;
- **开放式(气传导、骨传导)**:解决运动和长时间佩戴的不适,用户愿意用一部分音质换安全感和舒适度。

## 我们看到的三个变化

1. 运动场景从「跑步」扩展到骑行、通勤,开放式不再是小众;
2. 价格带在下探,300 元以内的开放式产品明显变多;
3. 降噪入耳式开始比拼「自适应」和佩戴检测,而不是单纯的降噪深度。

## 星曜怎么想

我们会继续把降噪入耳式做深,同时在运动场景里认真研究开放式方案。你更需要哪一种?欢迎在留言区聊聊。

*数据与趋势来自公开的行业报告和电商平台公开榜单,仅代表星曜团队的观察。*""",
    ),
    ItemSpec(
        key="blood_pressure",
        form="article",
        theme="expert",
        owner="reviewer",
        title="智能手表测血压,准不准?",
        accounts=("wechat", "weibo"),
        due="hot_end",
        importance="urgent",
        link="hot",
        digest="光学传感器能看到趋势,但替代不了袖带式血压计。专家讲清楚能信什么、不能信什么。",
        cover="watch_s2",
        body="""# 智能手表测血压,准不准?

这两天「智能手表测血压」上了热搜,后台也收到不少曜友提问。我们请健康顾问团队把话说清楚。

## 手表是怎么「测」血压的

大部分手表用的是光电容积脉搏波(PPG):通过绿光照射皮肤,读出脉搏波形,再用算法估算血压。它测到的是**趋势**,而不是医院里袖带式血压计的**数值**。

## 能信什么

- 同一个人、同样姿势下,血压**变化的方向**有参考价值;
- 夜间和静息时的数据比运动后更稳定。

## 不能信什么

- 单次读数不能用于诊断,也不能据此调整用药;
- 手表没有取得医疗器械注册证时,不应宣传「医疗级」。

## 星曜的做法

星曜手表目前提供心率、血氧和睡眠监测,**不提供**血压估算。在算法通过临床验证、取得相应资质之前,我们不会上线这个功能。

*有高血压等慢性病的曜友,请以医生的建议为准。*""",
        variants=(
            VariantSpec(
                account="wechat",
                author="星曜健康顾问团队",
                digest="光学传感器看得到趋势,替代不了血压计。",
                extra={**WECHAT_EXTRA, "content_source_url": f"{STORE}/health"},
            ),
            VariantSpec(
                account="weibo",
                body=(
                    "#智能手表测血压# 这两天很多曜友问我们:手表测血压准不准?"
                    "一句话:能看趋势,不能当诊断。星曜手表目前不提供血压估算,"
                    "在通过临床验证之前也不会上线。完整解读 👉"
                ),
                hashtags=("智能手表测血压", "星曜科技"),
                link_url=f"{STORE}/health",
            ),
        ),
    ),
    ItemSpec(
        key="watch_s2_preview",
        form="article",
        theme="product",
        owner="operator",
        title="Watch S2 发布前瞻:我们为什么坚持 14 天续航",
        accounts=("wechat", "weibo", "xhs"),
        due="event_start",
        importance="important",
        link="event",
        digest="屏幕更亮、表身更薄,续航一天没少。{event_dates} 上海、成都快闪店首发体验。",
        cover="watch_s2",
        images=("watch_s2", "popup"),
        body="""# Watch S2 发布前瞻:我们为什么坚持 14 天续航

做手表的这三年,曜友反复给我们提的一条意见是:「别让我天天充电。」

![星曜 Watch S2](asset:{img_watch_s2})

## 续航:14 天,一天没少

Watch S2 的屏幕亮度提升到 1500 尼特,表身薄了 1.2 毫米,但典型使用场景下续航仍然是 14 天。我们把省下来的功耗,全部留给了全天候心率和睡眠监测。

> 续航测试条件:开启心率全天监测、每天 100 条消息通知、每周 90 分钟 GPS 运动,其他为默认设置。

## 三个新功能

- **睡眠呼吸质量**:夜间血氧波动提示,帮助你发现睡眠问题;
- **运动自动识别**:快走、跑步、骑行无需手动开始;
- **双表盘快捷切换**:上班用简洁表盘,下班换成活动圆环。

## 先到店里摸一摸

{event_dates},星曜城市快闪店将在上海、成都同时开放,Watch S2 首发体验,现场扫码关注公众号可领取试用券。

![城市快闪](asset:{img_popup})""",
        variants=(
            VariantSpec(
                account="wechat",
                title="Watch S2 发布前瞻:我们为什么坚持 14 天续航",
                author="星曜产品团队",
                media=("watch_s2",),
                extra={**WECHAT_EXTRA, "content_source_url": f"{STORE}/watch-s2"},
            ),
            VariantSpec(
                account="weibo",
                body=(
                    "#星曜WatchS2# 屏幕更亮、表身更薄,续航一天没少:14 天。"
                    "{event_dates} 上海、成都快闪店首发体验,到店扫码领试用券 ⌚️"
                ),
                hashtags=("星曜WatchS2", "星曜新品"),
                link_url=f"{STORE}/watch-s2",
                media=("watch_s2", "popup"),
            ),
            VariantSpec(
                account="xhs",
                title="不想天天充电的人,等等这块表 ⌚️",
                body=(
                    "实验室的小伙伴已经戴了一个月 Watch S2:\n"
                    "✅ 14 天续航,出差一周不带充电器\n"
                    "✅ 比上一代薄了 1.2mm,睡觉戴着不硌手\n"
                    "✅ 上班下班两个表盘一键切换\n"
                    "不足:表带目前只有两种颜色,更多颜色在路上。\n"
                    "{event_dates} 上海、成都快闪店可以上手试戴~"
                ),
                hashtags=("智能手表", "星曜WatchS2", "通勤好物", "数码新品", "桌面好物"),
                media=("watch_s2",),
            ),
        ),
    ),
    ItemSpec(
        key="gift_guide",
        form="article",
        theme="product",
        owner="community",
        title="{festival}送礼不踩雷:星曜好物清单",
        accounts=("wechat", "weibo", "xhs"),
        due="festival",
        link="festival",
        digest="给通勤的 TA、爱运动的爸妈、开学的弟弟妹妹,各挑一件。",
        cover="gift",
        images=("gift", "x1pro", "charger"),
        body="""# {festival}送礼不踩雷:星曜好物清单

{festival}({festival_date})快到了,送什么才不像「随手买的」?我们按收礼的人挑了几件。

![送礼清单](asset:{img_gift})

## 给天天通勤的 TA

**星曜 X1 Pro 降噪耳机**:地铁上也能安静听完一集播客。礼盒装附赠替换耳塞和收纳袋。

![X1 Pro](asset:{img_x1pro})

## 给爱运动的爸妈

**星曜 Watch S1 智能手表**:字体可以调大,心率异常会提醒,续航 12 天,不用教他们天天充电。

## 给住宿舍的弟弟妹妹

**星曜 65W 氮化镓快充**:一个充电头同时充手机、平板和耳机,宿舍插座再少也够用。

![65W 快充](asset:{img_charger})

## 下单小提示

- 活动时间、优惠券门槛以商城页面为准;
- 需要开发票、刻字或加急配送,请联系在线客服。""",
        variants=(
            VariantSpec(
                account="wechat",
                author="曜友服务中心",
                digest="按收礼的人挑:通勤、运动、住宿舍,各有一件。",
                extra={**WECHAT_EXTRA, "content_source_url": f"{STORE}/gifts"},
            ),
            VariantSpec(
                account="weibo",
                body=(
                    "#{festival}送什么# 给通勤的 TA 一副降噪耳机,给爸妈一块不用天天充电的手表,"
                    "给住宿舍的弟弟妹妹一个 65W 快充。清单在这 🎁 转发本条,抽 3 位曜友送 65W 快充,"
                    "{festival_date} 开奖。"
                ),
                hashtags=("{festival}送什么", "星曜好物"),
                link_url=f"{STORE}/gifts",
                media=("gift",),
            ),
            VariantSpec(
                account="xhs",
                title="{festival}礼物清单|按收礼的人挑 🎁",
                body=(
                    "不想送「随手买的」礼物,就按收礼的人来挑:\n"
                    "✅ 通勤党:降噪耳机,地铁上终于清净了\n"
                    "✅ 爸妈:大字体手表,心率异常会提醒\n"
                    "✅ 学生党:65W 快充,一个插座充三台设备\n"
                    "你今年准备送什么?评论区交作业~"
                ),
                hashtags=("礼物推荐", "送礼清单", "数码好物", "实用礼物", "星曜科技"),
                media=("gift", "x1pro", "charger"),
            ),
        ),
    ),
    ItemSpec(
        key="gift_box_story",
        form="article",
        theme="product",
        owner="admin",
        title="{festival2}限定礼盒:设计师讲讲背后的故事",
        accounts=("wechat", "xhs"),
        due="festival2",
        link="festival2",
        digest="可回收纸浆、一根丝带都不多用:今年的礼盒是怎么做出来的。",
        cover="gift",
        images=("gift",),
        body="""# {festival2}限定礼盒:设计师讲讲背后的故事

每年{festival2}前,设计团队都要回答同一个问题:礼盒拆开以后,还剩下什么?

![限定礼盒](asset:{img_gift})

## 今年的三个决定

1. **不用塑料内托**:改用可回收的纸浆模塑,耳机和手表都能稳稳卡住;
2. **颜色只用品牌色**:曜石黑的盒身,极光蓝的丝带,不做多余的烫金;
3. **盒子能留下来用**:内层是一个带磁吸的收纳盒,放数据线、耳塞刚好。

## 什么时候能买到

{festival2}限定礼盒将于{festival2_date}前在官方商城和抖音小店上架,数量有限,具体时间以商城公告为准。

*设计团队留言:如果你有旧礼盒的改造创意,欢迎拍照发到后台,我们会挑选几位送出新礼盒。*""",
    ),
    ItemSpec(
        key="charger_guide",
        form="article",
        theme="tips",
        owner="operator",
        title="快充头怎么选?一文读懂 PD、PPS 和氮化镓",
        accounts=("wechat", "weibo"),
        due=None,
        digest="不看瓦数看协议:三分钟学会给手机、平板和笔记本挑充电头。",
        cover="charger",
        images=("charger",),
        body="""# 快充头怎么选?一文读懂 PD、PPS 和氮化镓

买充电头时,瓦数越大越好吗?不一定。真正决定快不快的,是**协议**。

![65W 氮化镓快充](asset:{img_charger})

## 先认识三个词

- **PD**:USB 官方快充协议,苹果、笔记本、大部分安卓手机都支持;
- **PPS**:PD 的升级版,电压可以细调,发热更低,部分安卓手机的「超级快充」需要它;
- **氮化镓(GaN)**:一种半导体材料,同样功率下体积更小、发热更低。

## 三步挑对充电头

1. 看设备支持什么协议(说明书或官网参数页);
2. 看功率上限:手机 20–45W、平板 30W 左右、轻薄本 65W 够用;
3. 多口充电头注意**功率分配**:同时插两台设备时,每个口能分到多少。

## 常见误区

- 用大功率充电头给耳机充电不会「充坏」,设备只会按需要取电;
- 线材同样重要:65W 以上要用标注 5A 的 USB-C 线。""",
    ),
    ItemSpec(
        key="nurse_story",
        form="article",
        theme="user_stories",
        owner="community",
        title="曜友故事|急诊科护士的 X1 Pro 通勤日记",
        accounts=("wechat", "weibo"),
        due=14,
        digest="夜班下班的地铁上,她终于能睡十五分钟。",
        cover="commute",
        images=("commute",),
        body="""# 曜友故事|急诊科护士的 X1 Pro 通勤日记

*以下内容经曜友小周本人同意发布,部分细节做了隐去处理。*

小周是成都一家医院的急诊科护士,三班倒,单程通勤 50 分钟。

![通勤路上](asset:{img_commute})

## 「下夜班的那趟地铁特别难熬」

「早上八点下班,地铁里全是上班的人,报站声、手机外放声……明明很困,就是睡不着。」

她试过耳塞,可是怕坐过站。后来同事推荐了降噪耳机。

## 她的用法

- 上车先开降噪,定一个 40 分钟的闹钟;
- 快到站时切换到通透模式,能听清报站;
- 夜班前在休息室戴着听白噪音,调整状态。

## 她想对我们说的

「希望耳塞能再软一点,侧躺的时候会压到。」——收到,我们已经把这条建议转给了产品团队。

你也有想分享的故事吗?在留言区告诉我们,被选中的曜友将收到一份定制礼物。""",
    ),
    ItemSpec(
        key="half_marathon",
        form="article",
        theme="user_stories",
        owner="community",
        title="陪爸爸跑完第一个半马:一位曜友和他的 Watch S1",
        accounts=("wechat", "xhs"),
        due=None,
        digest="58 岁开始跑步的爸爸,和一块帮他看着心率的手表。",
        cover="commute",
        body="""# 陪爸爸跑完第一个半马:一位曜友和他的 Watch S1

*本文由曜友 @阿杰 投稿,经本人授权发布。*

爸爸 58 岁那年体检,医生说他该动一动了。他选了跑步,我给他买了一块 Watch S1。

## 从 3 公里开始

前两个月,爸爸每次只跑 3 公里。手表的心率提醒设在 150,一响他就改成快走。

## 第 9 个月,21.0975 公里

比赛那天我陪他跑完全程,2 小时 38 分。他说真正有用的不是配速,而是「心率高了它会震一下,我心里有底」。

## 我们的几点建议

- 中老年朋友开始运动前,先咨询医生;
- 手表的心率提醒只是辅助,身体不适请立即停下;
- 比赛前一周把手表固件升级到新版本,GPS 定位会更快。

谢谢阿杰和叔叔,祝你们下一场比赛顺利!""",
    ),
    ItemSpec(
        key="le_audio",
        form="article",
        theme="expert",
        owner="reviewer",
        title="星曜小课堂:蓝牙 LE Audio 到底带来了什么",
        accounts=("wechat", "weibo"),
        due=20,
        digest="更省电、更低延迟,还能一对多广播。哪些变化你马上能感受到?",
        cover="industry",
        body="""# 星曜小课堂:蓝牙 LE Audio 到底带来了什么

这段时间不少新手机都写上了「支持 LE Audio」。它和我们熟悉的蓝牙音频有什么不同?

## 一句话解释

LE Audio 是蓝牙的新一代音频标准,核心是一种新的编码 **LC3**:同样的音质,数据量更小,所以更省电、延迟更低。

## 你能感受到的变化

1. **续航更长**:同样的电池,能多听一段时间;
2. **延迟更低**:看视频、玩游戏时声画更同步;
3. **广播音频(Auracast)**:一部手机可以同时给多副耳机放同一段声音,机场、健身房的电视声也能直接「收听」。

## 现在要不要追

LE Audio 需要手机和耳机**都**支持。星曜 X1 Pro 的硬件已经具备条件,相关功能会通过固件升级陆续开放,具体时间以官方公告为准。""",
    ),
    ItemSpec(
        key="trade_in",
        form="article",
        theme="tips",
        owner="admin",
        title="以旧换新攻略:旧耳机也能抵钱",
        accounts=("wechat", "weibo"),
        due=8,
        digest="任意品牌的旧耳机、旧手表都能估价,三步完成换新。",
        cover="x1pro",
        body="""# 以旧换新攻略:旧耳机也能抵钱

抽屉里那副旧耳机,别再闲置了。星曜以旧换新支持**任意品牌**的真无线耳机和智能手表。

## 三步完成换新

1. 公众号菜单「会员 → 以旧换新」,选择旧设备型号,在线估价;
2. 下单新品时选择「以旧换新」,估价金额直接抵扣;
3. 收到新品后 7 天内寄回旧设备,运费由星曜承担。

## 估价参考

| 旧设备 | 估价区间 |
| --- | --- |
| 可正常使用的真无线耳机 | 30–200 元 |
| 可正常使用的智能手表 | 50–300 元 |
| 无法开机的设备 | 统一 20 元 |

## 注意事项

- 估价以收到设备后的质检结果为准,差价会原路退回或补扣;
- 旧设备请先解除账号绑定,清除个人数据;
- 活动规则和截止时间以商城页面为准。""",
    ),
    # ---- 短图文 (微博 and 小红书) ------------------------------------------------------------
    ItemSpec(
        key="metro_test_post",
        form="short_post",
        theme="product",
        owner="operator",
        title="X1 Pro 地铁实测九宫格",
        accounts=("weibo",),
        due=4,
        body=(
            "#星曜X1Pro# 带着分贝仪坐了一周地铁,九宫格记录:2 号线车厢 78 分贝 → 戴上 X1 Pro 41 分贝。"
            "测试条件和方法都在图里,欢迎曜友们来挑刺 🎧"
        ),
        images=("x1pro", "commute"),
    ),
    ItemSpec(
        key="bp_hot_post",
        form="short_post",
        theme="expert",
        owner="community",
        title="#智能手表测血压# 话题回应",
        accounts=("weibo",),
        due="hot_end",
        importance="urgent",
        link="hot",
        body=(
            "#智能手表测血压# 看到这两天的讨论,也收到很多曜友私信,统一回复一下:"
            "星曜手表目前只提供心率、血氧和睡眠监测,不提供血压估算。"
            "没有通过临床验证的功能,我们不会上线。专家的完整解读见公众号「星曜科技」。"
        ),
    ),
    ItemSpec(
        key="lucky_draw",
        form="short_post",
        theme="product",
        owner="community",
        title="转发抽奖:送 3 副 X1 Pro",
        accounts=("weibo",),
        due=7,
        importance="important",
        body=(
            "#星曜X1Pro# 上市两周,谢谢曜友们的支持 🎉 关注 @星曜科技官方微博 并转发本条,"
            "抽 3 位曜友各送一副 X1 Pro。开奖时间见评论区置顶,抽奖由微博抽奖平台公证。"
        ),
        images=("x1pro",),
    ),
    ItemSpec(
        key="commute_note",
        form="short_post",
        theme="user_stories",
        owner="operator",
        title="通勤 2 小时,我靠这副耳机找回清净 🎧",
        accounts=("xhs",),
        due=9,
        body=(
            "实验室同事小林的日常:嘉定到陆家嘴,单程 1 小时。\n"
            "✅ 上车开降噪,听完两集播客刚好到站\n"
            "✅ 换乘时切通透模式,能听见报站\n"
            "✅ 一周只充一次电\n"
            "不足:冬天戴毛线帽时触控偶尔会误触,可以在 App 里把单击改成双击。\n"
            "#通勤好物 #降噪耳机推荐 #打工人日常 #上海通勤 #星曜X1Pro"
        ),
        images=("commute", "x1pro"),
    ),
    ItemSpec(
        key="dorm_desk",
        form="short_post",
        theme="tips",
        owner="operator",
        title="宿舍桌面改造|一个充电头搞定 4 台设备",
        accounts=("xhs", "douyin"),
        due=11,
        body=(
            "宿舍只有一个插座?试试这样:\n"
            "✅ 65W 氮化镓三口快充:手机、平板、耳机同时充\n"
            "✅ 线材用魔术贴收好,桌面立刻清爽\n"
            "✅ 笔记本也能用 65W 口充,不用再带原装大砖头\n"
            "注意:宿舍用电请遵守学校规定,不要串联插排。\n"
            "#宿舍好物 #桌面改造 #开学必备 #数码好物 #快充"
        ),
        images=("charger", "tips"),
    ),
    ItemSpec(
        key="watch_s2_note",
        form="short_post",
        theme="product",
        owner="operator",
        title="Watch S2 上手前瞻|14 天续航是真的吗",
        accounts=("xhs", "weibo"),
        due="event_end",
        link="event",
        body=(
            "戴了一个月的真实记录:第 14 天早上还剩 6% 电量。\n"
            "✅ 全天心率 + 睡眠监测一直开着\n"
            "✅ 每天消息通知 100 条左右\n"
            "✅ 每周跑步 3 次,每次 30 分钟 GPS\n"
            "{event_dates} 上海、成都快闪店可以试戴,来了记得找我们聊聊~"
        ),
        images=("watch_s2",),
        variants=(
            VariantSpec(
                account="weibo",
                body=(
                    "#星曜WatchS2# 同事戴了一个月的续航记录:第 14 天早上还剩 6% 🔋"
                    "测试条件:全天心率 + 睡眠监测、每天约 100 条通知、每周 3 次 GPS 跑步。"
                ),
                hashtags=("星曜WatchS2", "智能手表"),
                media=("watch_s2",),
            ),
            VariantSpec(
                account="xhs",
                title="实测|这块表真的 14 天不用充电吗 ⌚️",
                hashtags=("智能手表推荐", "续航", "星曜WatchS2", "数码测评", "通勤好物", "打工人"),
                media=("watch_s2",),
            ),
        ),
    ),
    ItemSpec(
        key="open_ear_post",
        form="short_post",
        theme="industry_news",
        owner="analyst",
        title="行业观察:开放式耳机为什么这么火",
        accounts=("weibo",),
        due=8,
        body=(
            "#数码行业观察# 开放式耳机今年讨论度明显变高:运动场景从跑步扩展到骑行和通勤,"
            "300 元以内的产品也多了起来。你会为了舒适放弃一部分降噪吗?投票告诉我们 👇"
        ),
        images=("industry",),
    ),
    ItemSpec(
        key="le_audio_post",
        form="short_post",
        theme="industry_news",
        owner="analyst",
        title="LE Audio 普及进度观察",
        accounts=("weibo",),
        due=13,
        body=(
            "#蓝牙LEAudio# 越来越多的新手机开始支持 LE Audio。对耳机用户来说,"
            "能直接感受到的变化是更省电、延迟更低。星曜 X1 Pro 相关功能将通过固件升级开放,时间以官方公告为准。"
        ),
    ),
    ItemSpec(
        key="winter_tips",
        form="short_post",
        theme="tips",
        owner="community",
        title="冬天戴耳机的 3 个小技巧",
        accounts=("xhs", "weibo", "douyin"),
        due=None,
        body=(
            "天冷了,耳机也要照顾一下:\n"
            "✅ 从室外进屋先别急着充电,等 10 分钟再插线,避免冷凝水\n"
            "✅ 户外风大时打开「抗风噪」模式\n"
            "✅ 戴帽子容易误触,可以把单击操作改成双击\n"
            "#冬季好物 #耳机保养 #降噪耳机 #数码小技巧 #星曜科技"
        ),
        images=("tips",),
    ),
    ItemSpec(
        key="reviews_weekly",
        form="short_post",
        theme="user_stories",
        owner="community",
        title="曜友晒单|本周 5 条暖心评价",
        accounts=("weibo",),
        due=6,
        body=(
            "#曜友晒单# 本周收到的评价里,这 5 条让我们开心了一整天:"
            "「夜班回家的地铁终于能睡着了」「给爸爸买的手表,他天天戴着」……"
            "谢谢曜友们,也欢迎继续给我们提意见 ❤️"
        ),
        images=("commute",),
    ),
    ItemSpec(
        key="festival_countdown",
        form="short_post",
        theme="product",
        owner="community",
        title="{festival}倒计时:送礼清单已备好",
        accounts=("weibo",),
        due="festival",
        link="festival",
        body=(
            "#{festival}送什么# 离{festival}({festival_date})没几天了,"
            "还没想好送什么的曜友,看看我们的送礼清单 🎁 礼盒装现货,下单后 48 小时内发货。"
        ),
        images=("gift",),
    ),
    ItemSpec(
        key="festival2_member_day",
        form="short_post",
        theme="product",
        owner="community",
        title="{festival2}会员日预告:积分翻倍",
        accounts=("weibo",),
        due="festival2",
        link="festival2",
        body=(
            "#星曜会员日# {festival2}({festival2_date})前三天,会员积分翻倍,"
            "积分可兑换耳塞套、表带和 30 元无门槛券。活动细则以商城公告为准 ✨"
        ),
        images=("gift",),
    ),
    ItemSpec(
        key="popup_announce",
        form="short_post",
        theme="product",
        owner="community",
        title="城市快闪店来了:上海、成都",
        accounts=("weibo", "xhs"),
        due="event_end",
        importance="important",
        link="event",
        body=(
            "#星曜城市快闪# {event_dates},星曜快闪店同时登陆上海、成都 📍"
            "Watch S2 首发试戴、X1 Pro 降噪体验舱,到店扫码关注公众号领试用券。具体地址见图。"
        ),
        images=("popup", "watch_s2"),
    ),
    ItemSpec(
        key="case_cleaning",
        form="short_post",
        theme="tips",
        owner="community",
        title="3 分钟把充电仓擦得像新的一样",
        accounts=("xhs", "douyin"),
        due=None,
        body=(
            "充电仓脏了别用酒精直接擦!正确做法:\n"
            "✅ 干燥的软毛刷清理触点和缝隙\n"
            "✅ 棉签蘸少量清水擦外壳,再用干布擦干\n"
            "✅ 耳塞可以取下用清水冲洗,晾干后再装回\n"
            "#耳机清洁 #数码保养 #好物分享 #生活小技巧 #星曜X1Pro"
        ),
        images=("tips", "x1pro"),
    ),
    ItemSpec(
        key="anc_habits",
        form="short_post",
        theme="industry_news",
        owner="analyst",
        title="曜友降噪使用习惯小调查",
        accounts=("weibo",),
        due=15,
        body=(
            "#降噪耳机# 我们在 App 里做了一次匿名小调查(约 1000 位曜友参与):"
            "通勤时多数人开深度降噪,办公室里更多人选自适应。你属于哪一种?"
            "本调查为自愿参与,结果仅供参考。"
        ),
    ),
    # ---- 视频 (抖音, some also on 微博 and 小红书) -------------------------------------------
    ItemSpec(
        key="anc_video",
        form="video",
        theme="product",
        owner="operator",
        title="X1 Pro 地铁降噪实测:开和关差多少",
        accounts=("douyin", "weibo"),
        due=5,
        importance="important",
        video="anc_test",
        cover="x1pro",
        body=(
            "【分镜】0–3 秒:地铁车厢环境音 + 字幕「78 分贝」;3–10 秒:戴上耳机、开降噪,"
            "环境音骤降,字幕「41 分贝」;10–25 秒:对比关、开两种状态;25–30 秒:"
            "口播「测试条件见评论区置顶」。\n【注意】不出现竞品,分贝数据标注测试环境。"
        ),
        variants=(
            VariantSpec(
                account="douyin",
                title="地铁 78 分贝,戴上只剩 41 🎧",
                hashtags=("降噪耳机", "地铁实测", "星曜X1Pro"),
            ),
            VariantSpec(
                account="weibo",
                body="#星曜X1Pro# 30 秒看完:地铁里开和关降噪差多少?有声音,建议戴耳机看 🎧",
                hashtags=("星曜X1Pro", "降噪实测"),
            ),
        ),
    ),
    ItemSpec(
        key="dual_link_video",
        form="video",
        theme="tips",
        owner="operator",
        title="3 秒学会:X1 Pro 双设备连接",
        accounts=("douyin", "weibo"),
        due=None,
        video="dual_link",
        cover="tips",
        body=(
            "【口播】手机在放歌,电脑来了会议,耳机自动切过去。设置方法:App → 连接 → 打开「双设备连接」。"
            "\n【字幕】关键步骤用极光蓝高亮。"
        ),
    ),
    ItemSpec(
        key="charger_unbox_video",
        form="video",
        theme="product",
        owner="operator",
        title="开箱|65W 氮化镓,一个顶三个",
        accounts=("douyin", "xhs"),
        due=13,
        video="charger_unbox",
        cover="charger",
        body="【分镜】开箱 → 与硬币比大小 → 同时给手机、平板、笔记本充电 → 功率分配字幕 → 挂车。",
    ),
    ItemSpec(
        key="watch_teaser_video",
        form="video",
        theme="product",
        owner="operator",
        title="Watch S2 官方预告",
        accounts=("douyin", "weibo"),
        due="event_start",
        importance="important",
        link="event",
        video="watch_teaser",
        cover="watch_s2",
        body="【口播】「14 天,一天没少。」{event_dates} 上海、成都快闪店首发体验。结尾出快闪店地址。",
    ),
    ItemSpec(
        key="transparency_video",
        form="video",
        theme="tips",
        owner="reviewer",
        title="一句话说人话:什么是通透模式",
        accounts=("douyin", "weibo", "xhs"),
        due=None,
        video="transparency",
        cover="tips",
        body="【口播】通透模式 = 耳机帮你「听」外面:麦克风把环境声放进来,过马路、听报站更安全。",
    ),
    ItemSpec(
        key="rider_video",
        form="video",
        theme="user_stories",
        owner="community",
        title="跟拍曜友:外卖骑手的一天",
        accounts=("douyin", "weibo"),
        due=13,
        video="rider",
        cover="commute",
        body=(
            "【拍摄】已取得骑手老王本人授权。早 9 点到晚 9 点跟拍,重点拍风噪环境下接电话。"
            "\n【注意】骑行途中不展示操作手机的画面,结尾字幕提示「骑行注意安全」。"
        ),
    ),
    ItemSpec(
        key="sleep_video",
        form="video",
        theme="tips",
        owner="operator",
        title="30 秒读懂手表睡眠报告",
        accounts=("douyin", "weibo", "xhs"),
        due=18,
        video="sleep",
        cover="watch_s2",
        body="【口播】深睡、浅睡、快速眼动分别是什么?哪一项低了需要注意?数据仅供参考,不作诊断。",
    ),
    # ---- 直播 (抖音) ------------------------------------------------------------------------
    ItemSpec(
        key="anc_live",
        form="live",
        theme="product",
        owner="operator",
        title="X1 Pro 降噪实测直播 + 曜友专属福利",
        accounts=("douyin",),
        due="live1",
        importance="important",
        live="live1",
        cover="live",
        live_host="主播小曜(运营 周宁)、声学工程师 陈工",
        live_outline="""1. 20:00–20:15 开场:X1 Pro 上市两周回顾,抽 10 张 30 元无门槛券
2. 20:15–20:45 现场实测:分贝仪 + 地铁环境音回放,开 / 关降噪对比
3. 20:45–21:15 陈工答疑:耳压感、佩戴舒适度、LE Audio 升级计划
4. 21:15–21:40 以旧换新讲解,直播间专属价(与商城页面一致)
5. 21:40–22:00 抽奖 + 下期预告(Watch S2 首发直播)
注意:不点名竞品;优惠写明截止时间;质量问题引导私信客服。""",
    ),
    ItemSpec(
        key="watch_launch_live",
        form="live",
        theme="product",
        owner="operator",
        title="Watch S2 首发直播:快闪店现场连线",
        accounts=("douyin",),
        due="live2",
        importance="important",
        live="live2",
        link="event",
        cover="popup",
        live_host="主播小曜(运营 周宁)、产品经理 许然",
        live_outline="""1. 20:00 上海快闪店现场连线,Watch S2 开箱
2. 20:20 产品经理讲解:14 天续航的测试条件、睡眠呼吸质量功能
3. 20:50 成都快闪店连线:曜友现场试戴采访(提前取得授权)
4. 21:20 首发价与赠品说明,写明截止时间
5. 21:45 答疑 + 抽奖
备场:网络中断时切回直播间主机位,讲解 X1 Pro。""",
    ),
    # ---- 互动问答 -----------------------------------------------------------------------------
    ItemSpec(
        key="qa_ear_pain",
        form="qa",
        theme="expert",
        owner="reviewer",
        title="曜友问答:降噪耳机戴久了耳朵疼怎么办?",
        accounts=("wechat", "weibo"),
        due=7,
        body=(
            "本周问题:「X1 Pro 戴超过两小时耳朵会疼,是耳塞尺寸不对吗?」\n\n"
            "答疑安排:声学工程师陈工在留言区逐条回复,精选 3 条放进下周三次条;"
            "涉及身体不适的,统一建议就医,不做诊断。"
        ),
    ),
    ItemSpec(
        key="qa_watch_compat",
        form="qa",
        theme="product",
        owner="community",
        title="评论区答疑:Watch S2 支持哪些手机?",
        accounts=("weibo", "xhs"),
        due="event_end",
        link="event",
        body=(
            "征集大家关于 Watch S2 的问题:支持哪些手机系统?能不能回复消息?表带能不能换?"
            "\n\n回复口径:以产品经理确认的参数表为准,未公布的信息回复「发布会见」。"
        ),
    ),
    ItemSpec(
        key="qa_wishlist",
        form="qa",
        theme="user_stories",
        owner="community",
        title="下一款新品,你希望星曜做什么?",
        accounts=("weibo",),
        due=None,
        body=(
            "开放式耳机、儿童手表、车载快充……你希望星曜下一款做什么?评论区告诉我们,"
            "点赞数排前 5 的建议会直接转给产品团队,并送出星曜定制帆布袋。"
        ),
    ),
)


# ---- the marketing calendar --------------------------------------------------------------------

HOT_TOPIC = (
    "智能手表测血压引发热议",
    "社交平台上关于智能手表血压功能准不准的讨论升温。口径:星曜手表目前不提供血压估算;"
    "由健康顾问团队出专业解读,微博同步回应,评论区不做医疗建议。",
)
BRAND_EVENT = (
    "星曜城市快闪 · Watch S2 首发体验(上海、成都)",
    "上海静安、成都锦江两店同开三天:Watch S2 首发试戴、X1 Pro 降噪体验舱。"
    "到店扫码关注公众号领试用券,社群同步报名和签到;首日晚抖音直播连线。",
)
# Commerce days read better by their short names inside titles and hashtags.
SHORT_NAMES = {"520": "520", "618": "618", "double11": "双11", "double12": "双12"}
WEEKDAYS_ZH = "一二三四五六日"


def content_anchor(today: dt.date) -> dt.date:
    """The day the forward-looking part hangs on: ``today``, or the real date when seeding as of a past day.

    A plan, a live stream's start and a hand placement must lie in the future (the services
    refuse the past), so a demo seeded "as of" an earlier day still plans from the real today.
    """
    return max(today, demo_today())


def _md(day: dt.date) -> str:
    return f"{day.month} 月 {day.day} 日"


def _span(start: dt.date, end: dt.date) -> str:
    if start.month == end.month:
        return f"{start.month} 月 {start.day} 日至 {end.day} 日"
    return f"{_md(start)}至{_md(end)}"


def _festival_name(item: Any) -> str:
    """A festival's or commerce day's Chinese name as the team writes it in titles and hashtags."""
    from socialops.content.holidays import FESTIVALS_BY_KEY

    kind, code, _year = item.key.split(":")
    festival = FESTIVALS_BY_KEY[(kind, code)]
    return SHORT_NAMES.get(code, festival.name_zh)


def _festivals(workspace: Any, viewer: Any, anchor: dt.date, after: dt.date) -> tuple[Any, Any]:
    """The first festival or commerce day after the anchor, and the first one after ``after``
    (which the team is already preparing beyond the plan); either may be None."""
    from socialops.content.selectors.calendar import calendar_link_choices

    choices = [
        c
        for c in calendar_link_choices(
            workspace=workspace,
            user=viewer,
            start=anchor + dt.timedelta(days=1),
            end=anchor + dt.timedelta(days=120),
        )
        if c.kind in ("festival", "commerce")
    ]
    first = choices[0] if choices else None
    later = next((c for c in choices if c.start > after and c is not first), None)
    return first, later


def _live_day(anchor: dt.date) -> dt.date:
    """The first Thursday or Saturday (the style rules' live nights) at least two days ahead."""
    day = anchor + dt.timedelta(days=2)
    while day.weekday() not in (3, 5):
        day += dt.timedelta(days=1)
    return day


# ---- post history: the platforms' exports, imported through saved mappings ---------------------

# Share of posts per local hour on weekdays and at the weekend, and how well each hour does
# (engagement per reach, relative): 公众号 readers read on the commute and after dinner, 抖音
# watches at lunch and all evening — the personas' active hours.
POST_HOURS: dict[str, tuple[dict[int, int], dict[int, int]]] = {
    "wechat": ({7: 45, 8: 10, 12: 12, 18: 5, 20: 13, 21: 15}, {9: 1, 10: 1, 20: 1, 21: 1}),
    "douyin": (
        {12: 10, 13: 4, 18: 8, 19: 18, 20: 24, 21: 22, 22: 10, 23: 4},
        {11: 8, 12: 10, 17: 6, 19: 16, 20: 22, 21: 24, 22: 14},
    ),
}
HOUR_RATE: dict[str, dict[int, float]] = {
    "wechat": {7: 1.12, 8: 1.05, 9: 0.9, 10: 0.9, 12: 0.85, 18: 0.8, 20: 1.1, 21: 1.22},
    "douyin": {
        11: 0.9,
        12: 1.0,
        13: 0.95,
        17: 0.8,
        18: 0.82,
        19: 1.0,
        20: 1.15,
        21: 1.28,
        22: 1.18,
        23: 1.05,
    },
}
# How far back each export reaches, and the share of the day's reach a post gets (the 公众号
# export lists the lead article of each push; older posts keep a little reach).
HISTORY_DAYS = {"wechat": 180, "douyin": 90}
DAY_SHARE = {"wechat": 0.55, "douyin": 0.9}
ENGAGEMENT_FIELDS = ("likes", "comments", "shares", "saves")

WECHAT_TITLES = (
    "星曜小课堂|降噪耳机的「自适应」是什么意思",
    "曜友问答|耳机进水了怎么办",
    "固件更新|X1 Pro 新增抗风噪模式",
    "快充安全吗?我们拆了 12 个充电头",
    "曜友故事|每天骑行 20 公里的设计师",
    "行业观察|智能手表的下一个功能是什么",
    "会员日|积分兑换新增 5 款好物",
    "星曜小课堂|蓝牙延迟从哪里来",
    "售后小知识|保修期怎么查",
    "新品预告|这次我们只改了一件事",
)
DOUYIN_TITLES = (
    "地铁降噪实测 #降噪耳机",
    "3 秒学会双设备连接",
    "65W 快充开箱",
    "一句话说人话:什么是 LDAC",
    "手表睡眠监测怎么看",
    "办公室降噪对比",
    "曜友跟拍:夜跑的一天",
    "耳机清洁小技巧",
)


@dataclass(frozen=True)
class PostExport:
    """A platform export as the team downloads it, and the mapping that reads it."""

    mapping_name: str
    file_name: str
    columns: dict[str, str]
    options: dict[str, Any]
    content: bytes
    rows: int


def _wobble(rng: random.Random, spread: float) -> float:
    return min(max(rng.gauss(1.0, spread), 1.0 - 3 * spread), 1.0 + 3 * spread)


def _hours(rng: random.Random, table: dict[int, int], count: int, gap: int = 3) -> list[int]:
    """``count`` posting hours drawn from the table, at least ``gap`` hours apart."""
    hours: list[int] = []
    choices, weights = list(table), list(table.values())
    for _attempt in range(50):
        if len(hours) == count:
            break
        hour = rng.choices(choices, weights)[0]
        if all(abs(hour - h) >= gap for h in hours):
            hours.append(hour)
    return sorted(hours)


def post_history(spec: AccountSpec, calendar: DemoCalendar) -> list[dict[str, Any]]:
    """An account's posts over its export window, matching its daily figures and its readers' hours.

    Each post takes a share of its day's reach, and its day's interactions per reach, scaled by
    how well its hour does; the days and the number of posts are those of the daily metrics.
    """
    rng = random.Random(f"{SEED}:posts:{spec.key}")
    first = calendar.today - dt.timedelta(days=HISTORY_DAYS[spec.key])
    weekday_hours, weekend_hours = POST_HOURS[spec.key]
    rates = HOUR_RATE[spec.key]
    posts: list[dict[str, Any]] = []
    for day, figures in generate_metrics(spec, calendar):
        if day < first or not figures["posts"] or not figures["reach"]:
            continue
        count = 1 if spec.key == "wechat" else figures["posts"]
        table = weekend_hours if day.weekday() >= 5 else weekday_hours
        for hour in _hours(rng, table, count):
            minute = 30 if spec.key == "wechat" and hour == 7 else rng.choice((0, 0, 5, 15, 30, 45))
            rate = rates[hour]
            reach = max(
                30,
                round(
                    figures["reach"]
                    * DAY_SHARE[spec.key]
                    / count
                    * (1 + (rate - 1) * 0.5)
                    * _wobble(rng, 0.15)
                ),
            )
            lift = rate * _wobble(rng, 0.12)
            post: dict[str, Any] = {
                "at": dt.datetime.combine(day, dt.time(hour, minute)),
                "reach": reach,
                **{
                    name: round(reach * figures[name] / figures["reach"] * lift) for name in ENGAGEMENT_FIELDS
                },
            }
            posts.append(post)
    return posts


def _csv(header: list[str], rows: list[list[Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    # Chinese platform exports open in Excel, hence the byte-order mark.
    return out.getvalue().encode("utf-8-sig")


def post_export(spec: AccountSpec, calendar: DemoCalendar) -> PostExport:
    """The 公众号 or 抖音 export file of an account's post history, with the mapping that reads it."""
    posts = post_history(spec, calendar)
    start, end = calendar.today - dt.timedelta(days=HISTORY_DAYS[spec.key]), calendar.end
    stamp = f"{start:%Y%m%d}-{end:%Y%m%d}"
    if spec.key == "wechat":
        header = [
            "内容标题",
            "发表时间",
            "内容类型",
            "阅读人数",
            "分享人数",
            "点赞人数",
            "留言数",
            "收藏人数",
        ]
        rows = [
            [
                WECHAT_TITLES[n % len(WECHAT_TITLES)],
                f"{p['at']:%Y-%m-%d %H:%M}",
                "图文",
                p["reach"],
                p["shares"],
                p["likes"],
                p["comments"],
                p["saves"],
            ]
            for n, p in enumerate(posts)
        ]
        return PostExport(
            mapping_name="公众号图文数据(头条)",
            file_name=f"公众号图文数据_{stamp}.csv",
            columns={
                "published_at": "发表时间",
                "post_type": "内容类型",
                "reach": "阅读人数",
                "shares": "分享人数",
                "likes": "点赞人数",
                "comments": "留言数",
                "saves": "收藏人数",
            },
            options={"delimiter": ",", "type_to_form": {"图文": "article"}, "engagements_from": "sum"},
            content=_csv(header, rows),
            rows=len(rows),
        )
    rng = random.Random(f"{SEED}:ids:{spec.key}")
    header = ["作品ID", "作品描述", "发布时间", "作品类型", "播放量", "点赞量", "评论量", "分享量", "收藏量"]
    rows = [
        [
            str(7_300_000_000_000_000_000 + rng.randrange(10**17)),
            DOUYIN_TITLES[n % len(DOUYIN_TITLES)],
            f"{p['at']:%Y-%m-%d %H:%M:%S}",
            "图文" if rng.random() < 0.15 else "视频",
            p["reach"],
            p["likes"],
            p["comments"],
            p["shares"],
            p["saves"],
        ]
        for n, p in enumerate(posts)
    ]
    return PostExport(
        mapping_name="抖音作品数据",
        file_name=f"抖音作品数据_{stamp}.csv",
        columns={
            "external_id": "作品ID",
            "published_at": "发布时间",
            "post_type": "作品类型",
            "reach": "播放量",
            "likes": "点赞量",
            "comments": "评论量",
            "shares": "分享量",
            "saves": "收藏量",
        },
        options={
            "delimiter": ",",
            "type_to_form": {"视频": "video", "图文": "short_post"},
            "engagements_from": "sum",
        },
        content=_csv(header, rows),
        rows=len(rows),
    )


# ---- seeding ------------------------------------------------------------------------------------


@dataclass
class DemoContent:
    """What the content part of the seed created, for the command and the tests."""

    anchor: dt.date
    plan_start: dt.date
    plan_end: dt.date
    themes: dict[str, Any]
    assets: dict[str, Any]
    items: dict[str, Any]
    variants: int
    festival: Any  # CalendarItem of the next festival or commerce day, or None
    later_festival: Any  # the one after the plan, already being prepared, or None
    hot_topic: Any
    brand_event: Any
    imports: dict[str, Any]
    plan_run: Any
    placements: int
    manual: Any
    locked: Any


_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _fill(text: str, context: dict[str, str]) -> str:
    """Replace {name} placeholders (only known names: other braces stay as written)."""
    return _PLACEHOLDER.sub(lambda m: context.get(m.group(1), m.group(0)), text)


def _seed_themes(workspace: Any, accounts: dict[str, Any]) -> dict[str, Any]:
    from socialops.content.services.items import theme_targets_set, theme_update, themes_create_defaults

    created = themes_create_defaults(workspace=workspace, actor=None)
    themes = dict(zip(THEME_KEYS, created, strict=True))
    for key, theme in themes.items():
        themes[key] = theme_update(
            workspace=workspace, actor=None, theme=theme, description=THEME_DESCRIPTIONS[key]
        )
    for account_key, shares in THEME_TARGETS.items():
        theme_targets_set(
            workspace=workspace,
            actor=None,
            account=accounts[account_key],
            shares={themes[key].pk: share for key, share in shares.items()},
        )
    return themes


def _seed_rules(workspace: Any, users: dict[str, Any], accounts: dict[str, Any]) -> None:
    from socialops.content.services.plan import cadence_rule_set, capacity_set

    for key, rule in CADENCE.items():
        cadence_rule_set(
            workspace=workspace, actor=None, account=accounts[key], holiday_mode="weekend", **rule
        )
    capacity_set(workspace=workspace, actor=None, items_per_week=WORKSPACE_CAPACITY)
    capacity_set(workspace=workspace, actor=None, owner=users["operator"], items_per_week=OPERATOR_CAPACITY)


def _seed_media(workspace: Any) -> dict[str, Any]:
    from socialops.content.services.media import media_asset_upload

    assets: dict[str, Any] = {}
    for key, (name, card) in IMAGES.items():
        assets[key] = media_asset_upload(
            workspace=workspace, actor=None, file_name=name, content=media.card_png(card)
        ).asset
    for key, (name, card) in VIDEOS.items():
        assets[key] = media_asset_upload(
            workspace=workspace, actor=None, file_name=name, content=media.clip_mp4(card)
        ).asset
    return assets


def _seed_history(workspace: Any, accounts: dict[str, Any], calendar: DemoCalendar) -> dict[str, Any]:
    from socialops.analytics.services import column_mapping_create, posts_import

    imports: dict[str, Any] = {}
    for spec in OUR_ACCOUNTS:
        if spec.key not in POST_HOURS:
            continue
        export = post_export(spec, calendar)
        mapping = column_mapping_create(
            workspace=workspace,
            actor=None,
            name=export.mapping_name,
            columns=export.columns,
            options=export.options,
        )
        imports[spec.key] = posts_import(
            workspace=workspace,
            actor=None,
            account=accounts[spec.key],
            mapping=mapping,
            file_name=export.file_name,
            content=export.content,
        )
    return imports


def _seed_items(
    workspace: Any,
    users: dict[str, Any],
    accounts: dict[str, Any],
    themes: dict[str, Any],
    assets: dict[str, Any],
    context: dict[str, str],
    dates: dict[str, dt.date],
    links: dict[str, str],
    lives: dict[str, dt.datetime],
) -> tuple[dict[str, Any], int]:
    from socialops.content.services.items import content_item_create, variant_create

    anchor = dates["anchor"]
    items: dict[str, Any] = {}
    variants = 0
    for spec in ITEMS:
        if isinstance(spec.due, str):
            deadline: dt.date | None = dates[spec.due]
        elif spec.due is not None:
            deadline = anchor + dt.timedelta(days=spec.due)
        else:
            deadline = None
        link = links.get(spec.link) if spec.link else None
        item = content_item_create(
            workspace=workspace,
            actor=None,
            title=_fill(spec.title, context),
            form=spec.form,
            theme=themes[spec.theme],
            owner=users[spec.owner],
            importance=spec.importance,
            deadline=deadline,
            evergreen=deadline is None,
            accounts=[accounts[key] for key in spec.accounts],
            calendar_links=[link] if link else [],
            digest=_fill(spec.digest, context),
            body=_fill(spec.body, context),
            cover=assets[spec.cover] if spec.cover else None,
            images=[assets[key] for key in spec.images],
            video=assets[spec.video] if spec.video else None,
            live_starts_at=lives[spec.live] if spec.live else None,
            live_host=spec.live_host,
            live_outline=spec.live_outline,
        )
        for variant in spec.variants:
            variant_create(
                workspace=workspace,
                actor=None,
                item=item,
                account=accounts[variant.account],
                title=_fill(variant.title, context),
                body=_fill(variant.body, context),
                digest=_fill(variant.digest, context),
                author=variant.author,
                hashtags=[_fill(tag, context) for tag in variant.hashtags],
                link_url=variant.link_url,
                media=[assets[key] for key in variant.media],
                extra=dict(variant.extra),
            )
            variants += 1
        items[spec.key] = item
    return items, variants


def seed_content(
    workspace: Any, users: dict[str, Any], accounts: dict[str, Any], calendar: DemoCalendar
) -> DemoContent:
    """Seed the content operation (call inside demo_seed's transaction, after accounts and metrics)."""
    from socialops.content.models import Placement, PlacementSource
    from socialops.content.planner import LINK_LEAD_DAYS
    from socialops.content.selectors.calendar import calendar_days_for_system
    from socialops.content.services.calendar import calendar_entry_create
    from socialops.content.services.plan import placement_create, placement_lock, plan_generate

    anchor = content_anchor(calendar.today)
    plan_start, plan_end = anchor + dt.timedelta(days=1), anchor + dt.timedelta(days=PLAN_DAYS)

    themes = _seed_themes(workspace, accounts)
    _seed_rules(workspace, users, accounts)
    assets = _seed_media(workspace)
    imports = _seed_history(workspace, accounts, calendar)

    # The second festival's lead window opens after the plan ends: its items wait in the backlog.
    festival, festival2 = _festivals(
        workspace, users["admin"], anchor, plan_end + dt.timedelta(days=LINK_LEAD_DAYS)
    )
    hot_topic = calendar_entry_create(
        workspace=workspace,
        actor=None,
        kind="hot_topic",
        name=HOT_TOPIC[0],
        start_date=anchor + dt.timedelta(days=1),
        end_date=anchor + dt.timedelta(days=3),
        description=HOT_TOPIC[1],
    )
    # The same days as the strategy 「城市快闪体验店」 of the goals part (today + 10 … 12).
    brand_event = calendar_entry_create(
        workspace=workspace,
        actor=None,
        kind="brand_event",
        name=BRAND_EVENT[0],
        start_date=anchor + dt.timedelta(days=10),
        end_date=anchor + dt.timedelta(days=12),
        description=BRAND_EVENT[1],
    )
    live1 = dt.datetime.combine(_live_day(anchor), dt.time(20, 0))
    live2 = dt.datetime.combine(brand_event.start_date, dt.time(20, 0))
    festival_day = festival.start if festival is not None else anchor + dt.timedelta(days=20)
    festival2_day = festival2.start if festival2 is not None else anchor + dt.timedelta(days=40)
    dates = {
        "anchor": anchor,
        "festival": festival_day,
        "festival2": festival2_day,
        "hot_end": hot_topic.end_date,
        "event_start": brand_event.start_date,
        "event_end": brand_event.end_date,
        "live1": live1.date(),
        "live2": live2.date(),
    }
    links = {"hot": f"entry:{hot_topic.pk}", "event": f"entry:{brand_event.pk}"}
    if festival is not None:
        links["festival"] = festival.key
    if festival2 is not None:
        links["festival2"] = festival2.key
    context = {
        "festival": _festival_name(festival) if festival is not None else "节日",
        "festival_date": _md(festival_day),
        "festival2": _festival_name(festival2) if festival2 is not None else "年末",
        "festival2_date": _md(festival2_day),
        "event_dates": _span(brand_event.start_date, brand_event.end_date),
        **{f"img_{key}": str(asset.pk) for key, asset in assets.items()},
    }
    items, variants = _seed_items(
        workspace, users, accounts, themes, assets, context, dates, links, {"live1": live1, "live2": live2}
    )

    # The expert's answer to the hot topic goes out on 公众号 at 7:30 (the style rules' push time;
    # the generator plans on the hour), placed by hand on the topic's first workday. When the
    # topic falls on days off, on its last day, leaving the first ones' single slot to a festival.
    days = calendar_days_for_system(workspace=workspace, start=hot_topic.start_date, end=hot_topic.end_date)
    day = next((d.date for d in days if d.workday), hot_topic.end_date)
    manual = placement_create(
        workspace=workspace,
        actor=None,
        item=items["blood_pressure"],
        account=accounts["wechat"],
        starts_at=dt.datetime.combine(day, dt.time(7, 30)),
    )
    ours = [accounts[spec_key] for spec_key in ("wechat", "weibo", "douyin", "xhs")]
    run = plan_generate(workspace=workspace, actor=None, start=plan_start, end=plan_end, accounts=ours)
    # The metro test video is the week's lead on 抖音: locked so regeneration leaves it where it is.
    planned = Placement.objects.filter(workspace=workspace, source=PlacementSource.GENERATOR).order_by(
        "starts_at", "pk"
    )
    target = planned.filter(item=items["anc_video"], account=accounts["douyin"]).first() or planned.first()
    locked = placement_lock(workspace=workspace, actor=None, placement=target) if target is not None else None
    return DemoContent(
        anchor=anchor,
        plan_start=plan_start,
        plan_end=plan_end,
        themes=themes,
        assets=assets,
        items=items,
        variants=variants,
        festival=festival,
        later_festival=festival2,
        hot_topic=hot_topic,
        brand_event=brand_event,
        imports=imports,
        plan_run=run,
        placements=Placement.objects.filter(workspace=workspace).count(),
        manual=manual,
        locked=locked,
    )
