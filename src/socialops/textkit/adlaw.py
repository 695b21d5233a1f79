"""Advertising Law absolute terms (广告法极限词).

``AdLawChecker(...).check(text)`` returns ``Finding``s with check="adlaw". It combines

* an Aho-Corasick dictionary of terms (the shipped public lexicon, our additions, the
  workspace's own terms, minus the terms the workspace removed), each with a severity, a
  category and regexes describing its allowed uses (data/adlaw_levels.tsv);
* patterns for forms a list cannot enumerate: NO.1 / TOP 1, 第1名, 100% + claim, scope +
  superlative (全网最低, 全国首家, 行业领先 …), 史上最…, …冠军, …天花板;
* rules for the common allowed uses of 最 and 第一 (最近, 最后一天, 最高可减 300 元, 第一次,
  第一步, 第一季度 …, see docs/checks.md);
* exemptions: configured brand/product names (and titles of works in 《》) are never flagged;
  terms inside a quoted user comment become an ``info`` finding ("adlaw.quoted").

A text is "flagged" when it has at least one block or warn finding.
No Django imports here: the Django layer passes the workspace's lists in.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from .findings import Finding, Severity, most_severe, severity_rank
from .links import find_urls
from .matching import TermMatcher
from .normalize import NormText, fold_compact, is_cjk, match_key, normalize

CHECK = "adlaw"

CATEGORIES = (
    "superlative",
    "ranking",
    "scope_superlative",
    "absolute_percent",
    "uniqueness",
    "grade",
    "first_claim",
    "exclusive",
    "state_endorsement",
    "medical_claim",
    "education_guarantee",
    "investment_return",
    "superstition",
    "inducement",
    "disparaging",
    "context_word",
    "custom_term",
)


@dataclass(frozen=True, slots=True)
class AdLawTerm:
    """One dictionary term with its severity, category and allowed-use context.

    ``allow_after`` is a regex matched right after the term, ``allow_before`` a regex matched
    on the text before it (anchor it with ``$``), ``requires`` a regex that must match in the
    same sentence; all run on the normalised text (NFKC, lower case, spaces between CJK
    characters removed).
    """

    term: str
    severity: Severity = "block"
    category: str = "custom_term"
    allow_after: str = ""
    allow_before: str = ""
    requires: str = ""

    def __post_init__(self) -> None:
        if self.severity not in ("block", "warn", "info"):
            raise ValueError(f"unknown severity {self.severity!r}")
        if self.category not in CATEGORIES:
            raise ValueError(f"unknown category {self.category!r}")
        for rx in (self.allow_after, self.allow_before, self.requires):
            if rx:
                re.compile(rx)

    @property
    def key(self) -> str:
        """The normalised dictionary key."""
        return match_key(self.term)


# ---------------------------------------------------------------------------------------------
# Shipped data


def _data_text(name: str) -> str:
    return resources.files("socialops.textkit").joinpath("data", name).read_text(encoding="utf-8")


def _tsv_rows(name: str) -> list[dict[str, str]]:
    """The rows of a shipped tab-separated file with a header line (# comment lines skipped)."""
    lines = [ln for ln in _data_text(name).splitlines() if ln and not ln.startswith("#")]
    return list(csv.DictReader(io.StringIO("\n".join(lines)), delimiter="\t", quoting=csv.QUOTE_NONE))


def _read_tsv(name: str) -> list[AdLawTerm]:
    out = []
    for row in _tsv_rows(name):
        out.append(
            AdLawTerm(
                term=row["term"].strip(),
                severity=row["severity"],  # type: ignore[arg-type]
                category=row["category"],
                allow_after=row.get("allow_after") or "",
                allow_before=row.get("allow_before") or "",
                requires=row.get("requires") or "",
            )
        )
    return out


def read_term_lines(text: str) -> list[str]:
    """Terms of a one-term-a-line text: stripped, blank lines and # comments skipped, de-duplicated."""
    seen: dict[str, None] = {}
    for line in text.splitlines():
        term = line.strip()
        if term and not term.startswith("#"):
            seen.setdefault(term, None)
    return list(seen)


@lru_cache(maxsize=1)
def lexicon_terms() -> tuple[str, ...]:
    """The unique terms of the shipped public lexicon (data/adlaw_absolute_terms.txt)."""
    return tuple(read_term_lines(_data_text("adlaw_absolute_terms.txt")))


@lru_cache(maxsize=1)
def default_terms() -> tuple[AdLawTerm, ...]:
    """The shipped lexicon annotated with data/adlaw_levels.tsv, plus data/adlaw_extra_terms.tsv."""
    levels = {t.key: t for t in _read_tsv("adlaw_levels.tsv")}
    out: dict[str, AdLawTerm] = {}
    for term in lexicon_terms():
        key = match_key(term)
        out[key] = levels.get(key) or AdLawTerm(term, "block", "superlative")
    for t in _read_tsv("adlaw_extra_terms.tsv"):
        out.setdefault(t.key, t)
    return tuple(out.values())


@lru_cache(maxsize=1)
def builtin_names() -> tuple[str, ...]:
    """Proper names that contain an absolute term (data/adlaw_allowed_names.txt)."""
    return tuple(read_term_lines(_data_text("adlaw_allowed_names.txt")))


# ---------------------------------------------------------------------------------------------
# Rules for 最 and 第一 (the two cores most of the list is built on)

_NUM = r"[\d一二两三四五六七八九十半几]"
# Words that may stand between 最高/最多/最大 … and the number of a plain numeric limit.
_FILLER = (
    r"(?:可以|可达|可|能够|能|达到|达|为|至|到|仅需|仅要|只需|只要|仅|只|支持到|支持|立减|直减|减|可省|省|"
    r"可返|返|可享|享|优惠|可抵|抵|补贴|约|不超过|不超|限|允许|容纳|载重|承重|续航|功率|速度|时速|"
    r"转速|存储|内存|分辨率|亮度|刷新率|输出|充电|下降|降|涨|提升|提高|增加|送|可领|领|得|抽|中|奖励|"
    r"赔付|赔|保额|额度|借|贷|购买|购|买|人数|温度|气温|档|可调|调节|叠加|再|折扣|满|使用|用|持续|"
    r"连续|同时|连接|工作|待机|播放|拍摄|录制|传输|下载|上传|收纳|承载|负载|功耗|电流|电压|效率|提速|"
    r"分期|免息|期数|的)"
)
_ZUI_TIME = r"[近后初早晚迟末]|开始|开头|一开始|终(?!之选|极|的?选择(?!了)|答案)"
_ZUI_TIME_SCOPED = r"[近后末]|终(?!之选|极|的?选择(?!了)|答案)"
# After 最好, what makes it "the best" rather than "you had better".
_ZUI_GOOD_CLAIM = (
    r"的|了|不过|之|\s*$|[，。！？,.!?；;、~～…\s]|[吃喝看听玩闻卖穿摸睡坐开骑用使](?:的|了|啊|吧|呢|哦|[，。！？,.!?~～…\s]|$)|"
    r"品质|质量|效果|产品|服务|选择|礼物|口碑|体验|材料|面料|工艺|配方|成分|音质|画质|性能|价格|伙伴|时光|"
    r"状态|答案|方案|搭档|助手|帮手"
)
# Discourse and technical uses of 最 (最重要的是, 最常见的问题, 最大化, 最短路径 …).
_ZUI_DISCOURSE = (
    r"(?:重要|关键|主要|核心|根本|基本|常见|常用|典型|明显的变化|直观)的?(?:是|一点|一步|原因|问题|因素|区别|变化|的是|就是|场景|用法|错误|误区|功能|操作)|"
    r"大的?(?:区别|不同|变化|问题|挑战|困难|难题|感受|收获|遗憾|心愿|愿望|改变|特点|不同之处|差异)|"
    r"多的?(?:问题|疑问|提问|是|就是)|"
    r"(?:大|小|优)化|[大小]值|[大小]公约数|[大小]公倍数|短路径|长公共|佳实践|小生成树"
)
# Circumstances limited in time (最难的时候, 最冷的一天): SAMR guideline Art. 5(6).
_ZUI_CIRCUMSTANCE = (
    r"[\u4e00-\u9fff]{1,2}的?(?:时候|时刻|阶段|一天|一年|日子|关头|那段时间|那几年|季节|月份|时期|年代)"
)
_NEWS_NOUNS = (
    r"消息|动态|资讯|通知|公告|进展|情况|报道|进度|数据|政策|规定|通报|版本|活动|福利|快讯|预告|排期|"
    r"安排|更新|文章|推文|内容|视频|直播|课表|课程表|章节|剧集|榜单|名单|研究|成果|论文|发现|统计|调查|"
    r"报告|疫情|天气|路况|营业时间|价格表|时间表|日程|规则|条款|协议|说明|回复|评论|留言|作品|航班|汇率|"
    r"行情|版|一期|一集|一篇|一章|一轮|一批|一次|一季|时间|时刻表|图|照片|图片|截图|价目表|菜单|目录|手册|"
    r"海报|链接|地址|二维码|联系方式|进度|战报|名次|排班|班次|路线|优惠券|优惠|券|红包|福利|折扣"
)
_ZUI_NEWS = (
    rf"新(?:的)?(?:一期|一集|一批|一轮|一次|一版|一代|一篇|一季)?[\u4e00-\u9fff]{{0,2}}?(?:{_NEWS_NOUNS})|"
    r"新\s*[:：】\]|｜]"
)
_ZUI_ALLOWED = re.compile(
    rf"""最(?:
      {_ZUI_TIME}
    | {_ZUI_NEWS}
    | {_ZUI_DISCOURSE}
    | {_ZUI_CIRCUMSTANCE}
    | [高低](?:人民法院|人民检察院|法院|检察院|法|检|气温|温度|工资|生活保障|分数线|录取线|水位|消费|
             起订量|起购|限价|时速|车速|血压|心率|年龄|学历|投保)
    | 惠国
    | [高低多少大小长短快慢远重轻宽深久迟](?:{_FILLER}){{0,3}}\s*
      (?![一](?:家|个|款|所|座|间|位|批|片|条|种))(?:{_NUM}|[,.]?\d)
    | [高低多少大小长短快慢远重轻宽深久迟][^\s，。！？,.!?；;、价级档品质性效好美强优佳的]{{1,4}}?\s*
      (?![一](?:家|个|款|所|座|间|位|批|片|条|种))(?:{_NUM}|[,.]?\d)
    | 快(?:可|能|于)?(?:当天|当日|今天|明天|次日|隔天|下周|本周)
    | 好(?!{_ZUI_GOOD_CLAIM})
    | 好(?:是|还是|先|提前|尽快|尽早|不要|别|在|于|每天|避免|咨询|联系|备注|保持|当天|搭配|配合|冷藏|
          冷冻|趁热|放在|放到|放入|密封|选在|带上|穿|多喝|少|等|再|去|来|留|拨打|私信|直接|错峰|预约|
          自备|携带|确认|核对|检查|查看|关注|及时|定期|每隔|每次|用温水|用冷水|用清水|戴|涂|避开|空腹|
          饭后|饭前|睡前|能|可以|把|将|给|让|和|跟|找|问|试|换|下单|早点|晚点|也|都|一次|分次|每日)
    | 先(?:到|下单|抵达|来|报名|付款|完成|收到|发现|体验|进店|抢到|购买|注册|提交|预约|留言|评论|转发|
          回答|答对)
    | 美(?:教师|医生|护士|乡村医生|奋斗者|逆行者|家庭|志愿者|快递员|警察|退役军人|科技工作者|劳动者|
          职工|基层|村官|书记|城市|乡村|公路)
    )""",
    re.X,
)
# Under a scope word (全网/全国 …) only the time and news senses stay allowed.
_ZUI_ALLOWED_SCOPED = re.compile(rf"最(?:{_ZUI_TIME_SCOPED}|{_ZUI_NEWS})")
# Before 最: personal preference (我最喜欢的 …), best effort (尽最大努力, 以最快的速度).
_ZUI_PERSON_BEFORE_RE = re.compile(
    r"(?:我|他|她|女儿|儿子|孩子|宝宝|妈妈|爸爸|老公|老婆|闺蜜|朋友|奶奶|爷爷|外婆|外公|老师|同学|我们家)们?$"
)
_ZUI_PERSON_AFTER_RE = re.compile(r"最(?:喜欢|爱)")
_ZUI_ADVICE_BEFORE_RE = re.compile(
    r"(?:建议|您|你|亲|大家|还是|记得|各位|姐妹们|宝子们|朋友们)[^，。！？,.!?]{0,3}$"
)
_ZUI_ADVICE_AFTER_RE = re.compile(r"最好(?!的|了|不过|之|[，。！？,.!?~～…\s]|$)")
_ZUI_EFFORT_RE = re.compile(
    r"^(?:.?尽了?|.?[以在用])最(?:大|快|短|高|优)的?(?:努力|可能|速度|时间|效率|热情|诚意|力度)"
    r"|^.?尽了?最大"
)

# What may follow 第一 in an ordinal (第一次, 第一步, 第一季度, 第一人民医院 …).
_ORD_TIME = (
    r"次|届|季度|季|期间|期|天|日|周年|周|月|年级|年|步骤|步|章节|章|节|集团|集|篇|页|课时|课|讲|单元|"
    r"阶段|轮|场|回|遍|弹|波|单|件|份|杯|口|时间|时刻|视角|眼|印象|手|线|反应|感觉|人称|作者|顺位|站|"
    r"条|点|题|排|行|列|层|楼|号|棒|局|代|版|部分|部|卷|册|幕|关|项|句|段|秒|分钟|小时|批|学期|堂|声|"
    r"针|剂|疗程|瓶|盒|包|袋|张|套|台|辆|间|道|首|曲|环节|顺序|责任人|书记|夫人|产业|生产力|要务|动力|"
    r"资源|要义|把|笔|桶|锅|碗|罐|片|颗|粒|象限|志愿|现场|财经|次方|中学|小学|人民医院|附属医院|医院|"
    r"中心|分公司|趟|晚|夜|拍|帧|任务|目标|原则|要求|条件|梯次|印象|课|反应"
)
_ORD_TIME_RE = re.compile(rf"(?:{_ORD_TIME})")
_ORD_WEAK_RE = re.compile(r"(?:位|个|家|款|级|所|座|种)")
_ORD_NUMERIC_RE = re.compile(r"[\d〇零一二三四五六七八九十百千万]")
_DIYI_NAME_SEQ_RE = re.compile(
    r"名(?:下单|付款|留言|评论|到店|报名|购买|提交|答对|抢到|进店)"
    # a prize announcement: 点赞第一名的粉丝将获得… / 第一名送耳机
    r"|名(?:的)?(?:粉丝|用户|同学|选手|参赛者|获得者|得主|宝宝|小伙伴)?\s*(?:将|可获|可得|可以获得|送|奖励|获得|得到|有奖)"
)
_RANK_CONTEXT_RE = re.compile(
    r"(?:排名|排行|名列|位列|位居|稳居|荣登|登顶|榜|销量|销售额|行业|全国|全网|全球|世界|国内|中国|业内|"
    r"业界|品类|类目|同类|人气|好评|口碑|热度|搜索|占有率|份额|市场|全平台|全城|全省|全市|亚洲|天猫|京东|"
    r"淘宝|抖音|拼多多|冠军|夺得|勇夺|斩获|荣获|获得|摘得)"
)
_SLOGAN_BEFORE_RE = re.compile(
    r"(?:安全|健康|友谊|生命|顾客|客户|用户|学习|预防|服务|孩子|家人|身体|人民|患者|质量|诚信)$"
)
_CLAUSE_BOUNDARY = set("\n。！？!?；;：:，,、（(【[ ")
_ENUM_AFTER = set("，,、:：.．)）")


def _diyi_allowed(s: str, i: int, j: int, *, scoped: bool = False) -> bool:
    """Whether 第一 at s[i:j] is an ordinal / enumeration / slogan rather than a ranking claim."""
    after = s[j : j + 8]
    before = s[max(0, i - 8) : i]
    if after and _ORD_NUMERIC_RE.match(after):
        return True  # 第一百位, 第11期
    if _ORD_TIME_RE.match(after):
        return True
    if scoped:
        return False
    if _DIYI_NAME_SEQ_RE.match(after):
        return True
    if _ORD_WEAK_RE.match(after) and not _RANK_CONTEXT_RE.search(before[-6:]):
        return True
    at_boundary_before = i == 0 or s[i - 1] in _CLAUSE_BOUNDARY
    if at_boundary_before and (not after or after[0] in _ENUM_AFTER):
        return True  # 第一，…  第二，…
    return bool(_SLOGAN_BEFORE_RE.search(before))


def _zui_allowed(s: str, i: int, *, scoped: bool = False) -> bool:
    """Whether 最 at s[i] is used in an allowed sense (time, news, numeric limit, advice …)."""
    rx = _ZUI_ALLOWED_SCOPED if scoped else _ZUI_ALLOWED
    if rx.match(s, i) is not None:
        return True
    if scoped:
        return False
    before = s[max(0, i - 6) : i]
    if _ZUI_PERSON_AFTER_RE.match(s, i) and _ZUI_PERSON_BEFORE_RE.search(before):
        return True
    if _ZUI_ADVICE_AFTER_RE.match(s, i) and _ZUI_ADVICE_BEFORE_RE.search(before):
        return True  # 建议最好选择工作日前往: advice addressed to the reader
    return _ZUI_EFFORT_RE.search(s[max(0, i - 2) : i + 8]) is not None


def _zui_extent(s: str, i: int) -> int:
    """End of the superlative phrase that starts with 最 at i (最 + the word it grades)."""
    j = i + 1
    if j < len(s) and s[j] in "为最":
        j += 1
    if j < len(s) and (is_cjk(s[j]) or s[j].isalpha()):
        if s[j].isascii():
            while j < len(s) and s[j].isascii() and s[j].isalpha():
                j += 1
            return j
        return j + 1
    return i + 1


# ---------------------------------------------------------------------------------------------
# Patterns for forms a list cannot enumerate

_SCOPE = (
    r"全网|全国|全球|全世界|世界上|世界|全宇宙|宇宙|国内外|国内|全中国|中国|全亚洲|亚洲|国际|全行业|"
    r"行业内|行业|业内|业界|同行|同类|同品类|同价位|同级别|同级|全城|全省|全市|本地|当地|全县|全区|全镇|"
    r"省内|市内|区域内|周边|全品类|全平台|全站|全渠道|市面上|市场上|史上|有史以来|天猫|京东|淘宝|抖音|"
    r"拼多多|小红书|各大平台|地球上|人类"
)
_GAP = r"[^\s，。！？,.!?；;、：:“”\"「」『』()（）《》]{0,8}?"
_CORE = (
    r"最|第一|第1|第壹|首(?:个|家|款|发|创|批|台|部|位|例|推)|领先|唯一|冠军|销冠|榜首|顶级|顶尖|"
    r"no\.?\s?1(?!\d)|top\.?\s?1(?!\d)|独家|无敌|之王|天花板"
)
_SCOPE_RE = re.compile(rf"(?:{_SCOPE})(?:{_GAP})(?P<core>{_CORE})")
_FIRST_TIME_AFTER = re.compile(r"(?:工作日|交易日|周末|月|季度|赛季|假期|小长假|次|批次)")

_NO1_RE = re.compile(r"(?<![a-z0-9])(?:no|top|n0)\s*[.。·、]?\s*(?:1|one)(?![\d])", re.I)
_NUMBER_ONE_RE = re.compile(r"(?<![a-z])number\s*(?:one|1)(?![a-z\d])", re.I)
_DI1_RE = re.compile(r"第\s*[1壹](?![\d])")
_CHAMPION_RE = re.compile(
    r"(?:销量|销售|品类|类目|行业|全网|全国|年度|月度|季度|单品|榜单|全平台|天猫|京东|淘宝|抖音|双11|"
    r"双十一|618|线上|线下|市场|人气|口碑|好评)(?:销量|销售额|销售量|销售)?(?:总)?冠军"
)
_TOP_OF_LIST_RE = re.compile(r"榜首")
_CEILING_RE = re.compile(
    r"(?:行业|业界|品类|颜值|性价比|国货|音质|画质|拍照|影像|续航|口感|品质|做工|同价位|价位|平价|手机|"
    r"耳机|面膜|口红|护肤|美妆|零食|奶茶|咖啡|轻薄本|游戏本|旗舰|中端|千元机|安卓|新能源|电动车|suv|mpv)"
    r"天花板|[界圈中里]的?天花板|天花板级"
)
_LEAD_RE = re.compile(r"领先(?:于)?(?:同行|同类|竞品|对手|行业|业界|全国|全球|国际|世界|市场)")
_SIDE_EFFECT_RE = re.compile(r"(?:无|零|没有|不含)(?:任何)?(?:毒)?副作用")
_NEVER_RE = re.compile(r"永不(?:褪色|掉色|过时|磨损|变形|起球|生锈|断裂|损坏|失效|反弹|复发)")

_PCT = r"(?:100\s*[%％]|百分之百|百分百|十成十)"
_PCT_CLAIM_LONG = (
    r"有效|见效|纯天然|天然|安全|无毒|无害|无副作用|保证|保障|正品|真品|满意|好评|成功|通过|治愈|痊愈|根治|"
    r"退款|退货|放心|无添加|零添加|不反弹|不过敏|不伤|不含|杀菌|除菌|抗菌|灭菌|除螨|可靠|确保|原装|还原|"
    r"吸收|命中|中奖|有用|好用|解决|搞定|出片|合格|达标|无残留|无菌|纯净|正宗|效果|回本|收益|回报|提分|"
    r"上岸|录取|去除|祛|美白|淡斑|祛痘|修复|无刺激|温和|补水|保湿|防晒|防水|防伪|安心|信任|满分|淡化|消除|"
    r"改善|去皱|抗皱|紧致|提亮|嫩白|瘦|防脱|生发|止痒|止痛|退烧|清除|吸附|过滤|阻隔|隔离|遮瑕|持妆|不脱妆"
)
_PCT_CLAIM_RE = re.compile(
    rf"{_PCT}\s*(?:[^\s，。！？,.!?；;、]{{0,6}}?(?:{_PCT_CLAIM_LONG})|(?:的)?[纯真无零不包能会保过赚防])"
)
_PCT_MATERIAL_RE = re.compile(
    rf"{_PCT}\s*(?:纯)?(?:棉|羊毛|羊绒|蚕丝|桑蚕丝|涤纶|聚酯纤维|亚麻|真丝|锦纶|莫代尔|天丝|牛皮|头层牛皮|"
    r"原木|实木|纯棉|再生|可回收|回收)"
)
_RATE_100_RE = re.compile(
    r"[\u4e00-\u9fff]{1,3}?(?<!完成|进度|出勤|入住|上座|满座|电量|充电|饱和)(?<![湿亮温速角])(?:率|度)\s*"
    r"(?:达|达到|高达|为|是|竟然|竟)?\s*100\s*[%％]"
)
# 100% directly followed by a word (100%好吃, 100%到账) is a guarantee too, but softer.
_PCT_DIRECT_RE = re.compile(
    rf"{_PCT}\s*(?!的|是|都|已|用心|努力|投入|真诚|热情|诚意|专注|负责|认真|只|仅|需|约|大约|左右|以上|以下|之|后|前|时|用时|耗时|完成|达成|完工|竣工|到位|充满|满电|电量|加载|下载|同步|上传|兑付|进度|[\u4e00-\u9fff]*?[率度])"
    r"[\u4e00-\u9fff]{1,2}"
)
_GUARANTEE_100_RE = re.compile(rf"(?:保证|承诺|确保|包|绝对)\s*(?:是|能|会|可以)?\s*{_PCT}")


# ---------------------------------------------------------------------------------------------
# Quoted user comments and titles

_QUOTE_PAIRS = {"「": "」", "『": "』", "“": "”", '"': '"', "‘": "’"}
_SPEAKER = (
    r"用户|网友|粉丝|顾客|客户|买家|消费者|读者|观众|听众|学员|家长|车主|宝妈|宝爸|评论区|留言区|弹幕|"
    r"小伙伴|朋友|闺蜜|同事|老铁|姐妹|家人们|家人|回头客|老客户|有位|一位|某位|很多人|不少人|大家|"
    r"@[^\s@:：，,]{1,20}"
)
_VERB = (
    r"说道|说|评论道|评论|留言说|留言|评价说|评价|反馈说|反馈|表示|写道|称|吐槽|私信|晒单|回复|提到|"
    r"夸赞|夸|感叹|问道|问|分享|直言|坦言|笑称|调侃|惊呼|纷纷表示|这样说|这么说|秀"
)
_ATTRIB_BEFORE_RE = re.compile(
    rf"(?:{_SPEAKER})[^。！？!?\n「」『』“”\"]{{0,12}}?(?:(?:{_VERB})[^。！？!?\n「」『』“”\"]{{0,8}}?|[：:])[：:，,]?\s*$"
)
_ATTRIB_AFTER_RE = re.compile(
    rf"^\s*(?:[—\-–~～]{{1,2}}|[（(])\s*(?:来自|by)?[^\n。！？!?]{{0,6}}?(?:{_SPEAKER})"
)
_TITLE_RE = re.compile(r"《[^《》\n]{1,40}》")
# Weibo's repost chain: "//@name: text" or a line starting with "@name：" quotes that user.
_REPOST_RE = re.compile(r"(?:^|(?<=\n)|//)\s*@[^\s@:：/]{1,20}\s*[:：]([^\n]*?)(?=//@|\n|$)")
# Words showing that a quoted term is talked about, not used (广告中不得使用“最佳”等用语).
_META_RE = re.compile(
    r"用语|用词|词语|词汇|字样|字眼|说法|表述|措辞|违禁|禁用|极限词|广告法|不得使用|不能使用|不能用|避免使用|"
    r"不要用|禁止使用|慎用|替换为|改为|改成|回复|发送|输入|搜索|关键词|关键字|口令|暗号"
)


def _quote_pairs(text: str) -> list[tuple[int, int]]:
    """Every (open, close) index pair of quote marks in ``text``, innermost not tracked."""
    pairs = []
    i, n = 0, len(text)
    while i < n:
        close = _QUOTE_PAIRS.get(text[i])
        if close is None:
            i += 1
            continue
        j = text.find(close, i + 1)
        if j == -1 or "\n\n" in text[i + 1 : j]:
            i += 1
            continue
        pairs.append((i, j))
        i = j + 1
    return pairs


def mentioned_term_spans(text: str) -> list[tuple[int, int]]:
    """Spans inside quote marks that hold a word being talked about rather than used.

    A quoted passage of at most 8 characters counts as a mention when its sentence contains a
    word about wording (用语, 字眼, 违禁, 广告法, 不得使用, 改为 …): "广告中不得使用“最佳”等用语".
    """
    out = []
    for i, j in _quote_pairs(text):
        if j - i - 1 > 8:
            continue
        a = max(text.rfind(c, 0, i) for c in "。！？!?\n") + 1
        ends = [k for k in (text.find(c, j) for c in "。！？!?\n") if k != -1]
        b = min(ends) if ends else len(text)
        if _META_RE.search(text[a:i] + text[j + 1 : b]):
            out.append((i + 1, j))
    return out


def quoted_comment_spans(text: str) -> list[tuple[int, int]]:
    """Spans (inside the quote marks) of quoted user comments in ``text``.

    A passage in paired quote marks 「…」 『…』 “…” "…" ‘…’ is a quoted user comment when
    (a) in the same sentence, the text before the opening mark names a speaker that is not us
    (用户, 网友, 粉丝, 顾客, 买家, 评论区, @someone …) followed within 12 characters by a verb of
    saying (说, 评论, 留言, 评价, 反馈, 表示, 吐槽 …) and at most 8 more characters, or directly
    by a colon (网友：「…」); or (b) the closing mark is followed by an attribution
    ("——来自用户…", "（网友@小林）"); or (c) it directly follows another quoted comment,
    separated only by spaces or 、，; (e.g. 网友评论：「…」「…」). Weibo's repost syntax
    "//@name: …" (and a line starting with "@name：") quotes that user up to the next "//@" or
    the end of the line.
    """
    spans: list[tuple[int, int]] = [(m.start(1), m.end(1)) for m in _REPOST_RE.finditer(text)]
    last_quote_end = -10
    for i, j in _quote_pairs(text):
        sentence_start = max(text.rfind(c, 0, i) for c in "。！？!?\n")
        before = text[sentence_start + 1 : i]
        after = text[j + 1 : j + 30]
        chained = last_quote_end >= 0 and text[last_quote_end:i].strip(" \t、，,;；") == ""
        if _ATTRIB_BEFORE_RE.search(before) or _ATTRIB_AFTER_RE.match(after) or chained:
            spans.append((i + 1, j))
            last_quote_end = j + 1
    return spans


def title_spans(text: str) -> list[tuple[int, int]]:
    """Spans of titles of works in 《…》 (names of books, shows, articles: not claims)."""
    return [(m.start(), m.end()) for m in _TITLE_RE.finditer(text)]


# ---------------------------------------------------------------------------------------------
# Suggestions


@lru_cache(maxsize=1)
def suggestions() -> dict[str, str]:
    """Milder words for absolute terms (data/adlaw_suggestions.tsv)."""
    return {row["term"]: row["suggestion"] for row in _tsv_rows("adlaw_suggestions.tsv")}


def _suggest(key: str) -> str | None:
    if key in suggestions():
        return suggestions()[key]
    if len(key) == 2 and key[0] == "最" and is_cjk(key[1]):
        return "很" + key[1]
    return None


# ---------------------------------------------------------------------------------------------
# The checker


@dataclass(slots=True)
class _Cand:
    start: int  # original offsets
    end: int
    severity: Severity
    category: str
    key: str  # the term (normalised) or pattern family it came from
    suggestion: str | None = None
    merged: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Compiled:
    term: AdLawTerm
    after: re.Pattern[str] | None
    before: re.Pattern[str] | None
    requires: re.Pattern[str] | None


def _compile(t: AdLawTerm) -> _Compiled:
    return _Compiled(
        t,
        re.compile(t.allow_after) if t.allow_after else None,
        re.compile(t.allow_before) if t.allow_before else None,
        re.compile(t.requires) if t.requires else None,
    )


_SENTENCE_END = "。！？!?\n；;"


def _sentence(s: str, i: int, j: int) -> str:
    a = max(s.rfind(c, 0, i) for c in _SENTENCE_END) + 1
    ends = [k for k in (s.find(c, j) for c in _SENTENCE_END) if k != -1]
    b = min(ends) if ends else len(s)
    return s[a:b]


class AdLawChecker:
    """Advertising-Law checker for one workspace configuration.

    ``terms``: the base dictionary (default: the shipped lexicon with our annotations and
    additions). ``extra_terms``: the workspace's own terms (a plain string becomes a block
    term of category custom_term). ``removed_terms``: terms the workspace does not want
    flagged: their dictionary entries go, any occurrence of them in a text is left alone, and
    removing 最 / 第一 / NO.1 / TOP.1 also switches off the pattern family built on it.
    ``allowed_names``: brand and product names (e.g. 最美时光) never flagged.
    """

    def __init__(
        self,
        terms: Iterable[AdLawTerm | str] | None = None,
        *,
        extra_terms: Iterable[AdLawTerm | str] = (),
        removed_terms: Iterable[str] = (),
        allowed_names: Iterable[str] = (),
        use_builtin_names: bool = True,
    ) -> None:
        base = default_terms() if terms is None else tuple(_as_term(t) for t in terms)
        entries: dict[str, AdLawTerm] = {t.key: t for t in base if t.key}
        for t in extra_terms:
            term = _as_term(t)
            if term.key:
                entries[term.key] = term
        self.removed = frozenset(k for k in (match_key(r) for r in removed_terms) if k)
        for key in self.removed:
            entries.pop(key, None)
        self.terms: tuple[AdLawTerm, ...] = tuple(entries.values())
        self._compiled = {k: _compile(t) for k, t in entries.items()}
        self._dict = TermMatcher((k, k) for k in entries)
        names = list(allowed_names) + (list(builtin_names()) if use_builtin_names else [])
        exempt_keys = {fold_compact(n) for n in names} | {fold_compact(r) for r in self.removed}
        self._exempt = TermMatcher((k, k) for k in exempt_keys if k)
        self._families = {
            "最": "最" not in self.removed,
            "第一": "第一" not in self.removed,
            "no.1": "no.1" not in self.removed,
            "top.1": "top.1" not in self.removed,
        }

    # -- public API ----------------------------------------------------------------------------

    def check(self, text: str, *, field: str = "body") -> list[Finding]:
        """All findings in ``text`` (offsets into ``text``), in reading order."""
        if not text:
            return []
        nt = normalize(text, drop_spaces="cjk")
        cands = self._dictionary_candidates(nt) + self._pattern_candidates(nt)
        exempt = self._exempt_spans(text)
        cands = [c for c in cands if not any(a <= c.start and c.end <= b for a, b in exempt)]
        chosen = _resolve_overlaps(cands)
        quoted = quoted_comment_spans(text)
        mentioned = mentioned_term_spans(text)
        findings = []
        for c in chosen:
            matched = text[c.start : c.end]
            if any(a <= c.start and c.end <= b for a, b in mentioned):
                findings.append(
                    Finding(
                        CHECK,
                        "info",
                        c.start,
                        c.end,
                        matched,
                        "adlaw.mentioned",
                        {"term": matched, "category": c.category},
                        None,
                        field,
                    )
                )
                continue
            if any(a <= c.start and c.end <= b for a, b in quoted):
                findings.append(
                    Finding(
                        CHECK,
                        "info",
                        c.start,
                        c.end,
                        matched,
                        "adlaw.quoted",
                        {"term": matched, "category": c.category},
                        None,
                        field,
                    )
                )
                continue
            findings.append(
                Finding(
                    CHECK,
                    c.severity,
                    c.start,
                    c.end,
                    matched,
                    f"adlaw.{c.category}",
                    {"term": matched, "category": c.category},
                    c.suggestion,
                    field,
                )
            )
        return sorted(findings, key=lambda f: (f.start or 0, f.end or 0))

    def is_flagged(self, text: str) -> bool:
        """True when ``text`` has at least one block or warn finding."""
        return any(f.flagged for f in self.check(text))

    # -- candidates ----------------------------------------------------------------------------

    def _dictionary_candidates(self, nt: NormText) -> list[_Cand]:
        s = nt.text
        out = []
        matches = list(self._dict.iter_all(s))
        specific_zui = {m.start for m in matches if m.key != "最" and m.key.startswith("最")}
        for m in matches:
            if m.key == "最" and m.start in specific_zui:
                continue  # 最新 / 最好 … decide with their own severity
            comp = self._compiled[m.key]
            if not self._term_applies(comp, s, m.start, m.end):
                continue
            start, end = m.start, m.end
            if m.key == "最":
                end = _zui_extent(s, start)
            ostart, oend = nt.span(start, end)
            key = m.key if m.key != "最" else s[start:end]
            out.append(_Cand(ostart, oend, comp.term.severity, comp.term.category, m.key, _suggest(key)))
        return out

    def _term_applies(self, comp: _Compiled, s: str, i: int, j: int) -> bool:
        key = comp.term.key
        if comp.requires and not comp.requires.search(_sentence(s, i, j)):
            return False
        if comp.after and comp.after.match(s, j):
            return False
        if comp.before and comp.before.search(s[max(0, i - 12) : i]):
            return False
        if key.startswith("最") and _zui_allowed(s, i):
            return False
        k = key.find("第一")
        return not (k != -1 and _diyi_allowed(s, i + k, i + k + 2))

    def _pattern_candidates(self, nt: NormText) -> list[_Cand]:
        s = nt.text
        out: list[_Cand] = []

        def add(i: int, j: int, severity: Severity, category: str, key: str, sugg: str | None = None) -> None:
            a, b = nt.span(i, j)
            out.append(_Cand(a, b, severity, category, key, sugg))

        fam = self._families
        if fam["no.1"] or fam["top.1"]:
            for m in _NO1_RE.finditer(s):
                family = "top.1" if m.group(0).lower().startswith("top") else "no.1"
                if fam[family]:
                    add(m.start(), m.end(), "block", "ranking", family)
            if fam["no.1"]:
                for m in _NUMBER_ONE_RE.finditer(s):
                    add(m.start(), m.end(), "block", "ranking", "no.1")
        if fam["第一"]:
            for m in _DI1_RE.finditer(s):
                if not _diyi_allowed(s, m.start(), m.end()):
                    add(m.start(), m.end(), "block", "ranking", "第一")
            # 第一 followed by what makes it a ranking (第一名, 第一梯队): widen the highlight.
            for m in re.finditer(r"第一(?:品牌|名|梯队|阵营|大|股|人)", s):
                if not _diyi_allowed(s, m.start(), m.start() + 2):
                    add(m.start(), m.end(), "block", "ranking", "第一")
        for m in _SCOPE_RE.finditer(s):
            core_start = m.start("core")
            core = m.group("core")
            if core == "最":
                if not fam["最"] or _zui_allowed(s, core_start, scoped=True):
                    continue
                end = _zui_extent(s, core_start)
            elif core in ("第一", "第1", "第壹"):
                if not fam["第一"] or _diyi_allowed(s, core_start, m.end(), scoped=True):
                    continue
                end = m.end()
            elif core.startswith("首") and _FIRST_TIME_AFTER.match(s, m.end()):
                continue
            else:
                end = m.end()
            add(m.start(), end, "block", "scope_superlative", "scope")
        for m in _CHAMPION_RE.finditer(s):
            add(m.start(), m.end(), "block", "ranking", "冠军", "热销")
        for m in _TOP_OF_LIST_RE.finditer(s):
            add(m.start(), m.end(), "warn", "ranking", "榜首")
        for m in _CEILING_RE.finditer(s):
            add(m.start(), m.end(), "warn", "grade", "天花板")
        for m in _LEAD_RE.finditer(s):
            add(m.start(), m.end(), "block", "superlative", "领先")
        for m in _SIDE_EFFECT_RE.finditer(s):
            add(m.start(), m.end(), "block", "medical_claim", "无副作用")
        for m in _NEVER_RE.finditer(s):
            add(m.start(), m.end(), "warn", "grade", "永不")
        materials = [(m.start(), m.end()) for m in _PCT_MATERIAL_RE.finditer(s)]
        for rx in (_PCT_CLAIM_RE, _RATE_100_RE, _GUARANTEE_100_RE, _PCT_DIRECT_RE):
            severity: Severity = "warn" if rx is _PCT_DIRECT_RE else "block"
            for m in rx.finditer(s):
                if any(a <= m.start() < b for a, b in materials):
                    continue
                add(m.start(), m.end(), severity, "absolute_percent", "100%")
        return out

    def _exempt_spans(self, text: str) -> list[tuple[int, int]]:
        # Titles of works and links (https://shop.example/no1-seller) are names, not claims.
        spans = title_spans(text) + [(u.start, u.end) for u in find_urls(text)]
        if len(self._exempt):
            nt_all = normalize(text, drop_spaces="all")
            for m in self._exempt.iter_all(nt_all.text):
                spans.append(nt_all.span(m.start, m.end))
        return spans


def _as_term(t: AdLawTerm | str) -> AdLawTerm:
    if isinstance(t, AdLawTerm):
        return t
    return AdLawTerm(t.strip(), "block", "custom_term")


def _resolve_overlaps(cands: Sequence[_Cand]) -> list[_Cand]:
    """Merge overlapping candidates into one finding covering their union.

    The merged finding takes the most serious severity, the category of the longest candidate
    and its suggestion when that candidate covers the whole union.
    """
    ordered = sorted(cands, key=lambda c: (c.start, -(c.end - c.start)))
    groups: list[list[_Cand]] = []
    group_end = -1
    for c in ordered:
        if groups and c.start < group_end:
            groups[-1].append(c)
            group_end = max(group_end, c.end)
        else:
            groups.append([c])
            group_end = c.end
    out = []
    for g in groups:
        longest = min(g, key=lambda c: (-(c.end - c.start), severity_rank(c.severity), c.start))
        start = min(c.start for c in g)
        end = max(c.end for c in g)
        severity = longest.severity
        category = longest.category
        for c in g:
            if severity_rank(c.severity) < severity_rank(severity):
                severity = most_severe(severity, c.severity)
                if category == "context_word":
                    category = c.category
        suggestion = longest.suggestion if (longest.start, longest.end) == (start, end) else None
        out.append(_Cand(start, end, severity, category, longest.key, suggestion))
    return out
