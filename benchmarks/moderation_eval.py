"""Group moderation: precision and recall on the labelled Chinese group messages, train and held-out.

    .venv/bin/python benchmarks/moderation_eval.py [--errors] [--heldout-errors]

Reads benchmarks/data/moderation_zh.jsonl (text, label spam|ok, split train|heldout, optional
has_image_qr). Each message is judged alone (no history: repeats and floods need a stream, and
the tests cover them) with the default policy plus our own domain (xinghe.com, the fictional
company of the set). Prints, per split, our precision / recall / F1 and confusion counts, how
many messages each rule decided (and how many of those were wrong), and the same figures for a
naive baseline measured in the same run: a keyword list (微信, QQ, 加V, 兼职, 贷款, 代理, 返利,
扫码…) plus plain regular expressions for http(s)/www links and 11-digit mobile numbers.

The rules were tuned on the train split only; ``--errors`` lists the train split's mistakes,
``--heldout-errors`` the held-out ones (read them for the report, not to tune).
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
POLICY = Policy(allowed_domains=("xinghe.com",))

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
    """The labelled messages."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            d = json.loads(line)
            rows.append(Row(d["text"], d["label"] == "spam", d["split"], bool(d.get("has_image_qr"))))
    return rows


def ours(row: Row) -> tuple[bool, str]:
    """Our engine's verdict: (spam, rule)."""
    v = judge(MessageFacts(text=row.text, has_image=row.qr, image_has_qr=row.qr), POLICY)
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


def main(argv: list[str] | None = None) -> int:
    """Run the evaluation and print the figures."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--errors", action="store_true", help="list the train split's mistakes")
    parser.add_argument("--heldout-errors", action="store_true", help="list the held-out split's mistakes")
    args = parser.parse_args(argv)
    rows = load()
    translation.activate("en")
    print(f"{DATA.relative_to(ROOT)}: {len(rows)} messages, {sum(r.spam for r in rows)} spam")
    for split, name in (("train", "train (tuned on)"), ("heldout", "held-out (never tuned on)")):
        part = [r for r in rows if r.split == split]
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
        if (split == "train" and args.errors) or (split == "heldout" and args.heldout_errors):
            for row, rule in mistakes:
                kind = "missed" if row.spam else f"false alarm ({rule})"
                print(f"    {kind}: {row.text}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
