"""Group moderation: precision and recall on labelled Chinese group messages (train, dev, blind).

    .venv/bin/python benchmarks/moderation_eval.py [--errors] [--blind] [--blind-errors]

Data (one JSON object a line: text, label spam|ok, split, optional has_image_qr and domain):

* ``benchmarks/data/moderation_zh.jsonl`` (513 messages, one author, a smart-home brand):
  its ``train`` split, and its old ``heldout`` split, reported here as **dev**: its misses were
  read when it was first measured, so it is development data now, not a test.
* ``benchmarks/data/moderation_zh_train_extra.jsonl`` (written while improving the rules, twelve
  group domains, split ``train``): more spam kinds and hard negatives; counted in **train**.
* ``benchmarks/data/moderation_zh_blind.jsonl`` (320 messages, ten group domains, written by a
  different author who never saw the rules; notes in ``MODERATION_BLIND.md``): the **blind**
  test. It is judged only with ``--blind``, so that runs made while changing the rules do not
  even see its totals. Protocol: rules are changed on train/dev only; the blind set is run
  at the end, once or twice, and its figures are reported whatever they are.

Each message is judged alone (no history: repeats and floods need a stream, and the tests cover
them) with the default policy plus the workspace's own domains: xinghe.com for the first file,
each domain's brand site for the extra training file (see ``TRAIN_DOMAINS``). The blind set's
notes name no official domains, so the blind split gets only the default policy plus
xinghe.com: a brand's own link in it counts as a link like any other (a workspace would list
its domains in the settings; that is not simulated here).

Prints, per split, our precision / recall / F1 and confusion counts, how many messages each
rule decided (and how many of those were wrong), per domain for blind, and the same figures
for a naive baseline measured in the same run: a keyword list (微信, QQ, 加V, 兼职, 贷款, 代理,
返利, 扫码…) plus plain regular expressions for http(s)/www links and 11-digit mobile numbers.

``--errors`` lists the train split's mistakes (what the rules are improved on).
``--blind-errors`` lists the blind split's mistakes: reading them ENDS the blind set's
blindness (use it only for the final report, never to tune).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "socialops.config.settings")

import django  # noqa: E402

django.setup()

from django.utils import translation  # noqa: E402

from socialops.community.moderation.engine import MessageFacts, Policy, judge  # noqa: E402

DATA = ROOT / "benchmarks/data/moderation_zh.jsonl"
EXTRA = ROOT / "benchmarks/data/moderation_zh_train_extra.jsonl"
BLIND = ROOT / "benchmarks/data/moderation_zh_blind.jsonl"
POLICY = Policy(allowed_domains=("xinghe.com",))
#: The brands' own sites in the extra training file (what each workspace would configure).
TRAIN_DOMAINS = {
    "electronics": "jiguang.com",
    "cosmetics": "huayu-beauty.com",
    "tea": "chayu.cn",
    "education": "qihang-edu.com",
    "saas": "yunfan.io",
    "bank": "anxin-bank.com",
    "car": "xingchi-auto.com",
    "game": "huanyu-game.com",
    "baby": "beibeijia.com",
    "fitness": "dongli-fit.com",
    "travel": "yuanxing.com",
    "pets": "mengchong.cn",
}
#: The splits as reported: (name in the files, label printed).
SPLITS = (("train", "train (tuned on)"), ("dev", "dev (old held-out, misses read)"), ("blind", "blind"))

BASELINE_WORDS = (
    "微信", "vx", "加v", "qq", "兼职", "贷款", "代理", "返利", "扫码", "进群", "刷单", "日结",
    "优惠券", "私聊", "加我", "招聘", "赚钱",
)  # fmt: skip
_BASELINE_LINK = re.compile(r"https?://|www\.", re.I)
_BASELINE_PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


@dataclass
class Row:
    text: str
    spam: bool
    split: str
    qr: bool
    domain: str = ""


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    def add(self, truth: bool, said: bool) -> None:
        if truth and said:
            self.tp += 1
        elif said:
            self.fp += 1
        elif truth:
            self.fn += 1
        else:
            self.tn += 1

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    def line(self) -> str:
        p, r = self.precision, self.recall
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        return (
            f"precision {p:.3f}  recall {r:.3f}  F1 {f1:.3f}  "
            f"(TP {self.tp}, FP {self.fp}, FN {self.fn}, TN {self.tn})"
        )


def load(path: Path = DATA) -> list[Row]:
    """The labelled messages of one file (the old "heldout" split is reported as "dev")."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            d = json.loads(line)
            split = "dev" if d["split"] == "heldout" else d["split"]
            qr = bool(d.get("has_image_qr"))
            rows.append(Row(d["text"], d["label"] == "spam", split, qr, d.get("domain", "")))
    return rows


def policy_of(row: Row) -> Policy:
    """The policy a workspace of the row's domain would run: the defaults plus its own site."""
    own = TRAIN_DOMAINS.get(row.domain) if row.split == "train" else None
    return Policy(allowed_domains=("xinghe.com", own)) if own else POLICY


def ours(row: Row) -> tuple[bool, str]:
    """Our engine's verdict: (spam, rule)."""
    v = judge(MessageFacts(text=row.text, has_image=row.qr, image_has_qr=row.qr), policy_of(row))
    return v.spam, v.rule


def baseline(row: Row) -> tuple[bool, str]:
    """The naive baseline: keywords, plain link and mobile-number patterns, any QR image."""
    low = row.text.lower()
    if row.qr:
        return True, "qr_image"
    if _BASELINE_LINK.search(low):
        return True, "link"
    if _BASELINE_PHONE.search(low):
        return True, "phone"
    if any(w in low for w in BASELINE_WORDS):
        return True, "keyword"
    return False, ""


def evaluate(
    rows: list[Row], predict: Callable[[Row], tuple[bool, str]]
) -> tuple[Score, Counter[str], Counter[str], list[tuple[Row, str]]]:
    """Score, per-rule decisions, per-rule false alarms, and the mistakes."""
    score = Score()
    per_rule: Counter[str] = Counter()
    wrong_rule: Counter[str] = Counter()
    mistakes: list[tuple[Row, str]] = []
    for row in rows:
        said, rule = predict(row)
        score.add(row.spam, said)
        if said:
            per_rule[rule] += 1
            if not row.spam:
                wrong_rule[rule] += 1
        if said != row.spam:
            mistakes.append((row, rule))
    return score, per_rule, wrong_rule, mistakes


def report(name: str, part: list[Row], show_errors: bool, by_domain: bool) -> None:
    """Print one split's figures, ours and the baseline's."""
    started = time.perf_counter()
    score, per_rule, wrong, mistakes = evaluate(part, ours)
    ms = (time.perf_counter() - started) * 1000 / max(len(part), 1)
    base, base_rule, base_wrong, _ = evaluate(part, baseline)
    print(f"{name}: {len(part)} messages ({sum(r.spam for r in part)} spam)")
    print(f"  ours      {score.line()}  [{ms:.2f} ms/message]")
    print(f"  baseline  {base.line()}  [keyword list + plain link/phone patterns]")
    rules = ", ".join(f"{k} {v} ({wrong[k]} wrong)" for k, v in per_rule.most_common())
    print(f"  ours by rule:      {rules}")
    base_rules = ", ".join(f"{k} {v} ({base_wrong[k]} wrong)" for k, v in base_rule.most_common())
    print(f"  baseline by rule:  {base_rules}")
    if by_domain:
        for domain in sorted({r.domain for r in part}):
            rows = [r for r in part if r.domain == domain]
            d_ours, d_base = evaluate(rows, ours)[0], evaluate(rows, baseline)[0]
            print(f"    {domain:<22} ours {d_ours.line()}")
            print(f"    {'':<22} base {d_base.line()}")
    if show_errors:
        for row, rule in mistakes:
            kind = "missed" if row.spam else f"false alarm ({rule})"
            print(f"    {kind}: {row.text}")


def main(argv: list[str] | None = None) -> int:
    """Run the evaluation and print the figures."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--errors", action="store_true", help="list the train split's mistakes")
    parser.add_argument(
        "--blind",
        action="store_true",
        help="also judge the blind set (run it at the end, once or twice; report what it gives)",
    )
    parser.add_argument(
        "--blind-errors",
        action="store_true",
        help="list the blind set's mistakes (implies --blind). Reading them ENDS the set's blindness: "
        "for the final report only, never to tune the rules",
    )
    args = parser.parse_args(argv)
    rows = load(DATA) + (load(EXTRA) if EXTRA.exists() else [])
    if args.blind or args.blind_errors:
        rows += load(BLIND)
    translation.activate("en")
    files = [DATA, EXTRA] + ([BLIND] if args.blind or args.blind_errors else [])
    for path in files:
        if path.exists():
            n = load(path)
            print(f"{path.relative_to(ROOT)}: {len(n)} messages, {sum(r.spam for r in n)} spam")
    for split, name in SPLITS:
        part = [r for r in rows if r.split == split]
        if not part:
            continue
        errors = (split == "train" and args.errors) or (split == "blind" and args.blind_errors)
        report(name, part, errors, by_domain=split == "blind")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
