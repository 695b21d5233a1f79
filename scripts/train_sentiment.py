"""Train the shipped sentiment / intent model (``src/socialops/textkit/data/sentiment_model.npz``).

    .venv/bin/python scripts/train_sentiment.py [--shared ../shared/data] [--out PATH]
    .venv/bin/python scripts/train_sentiment.py --resplit   # rewrite the split column only

Training data: the two review sets of ``shared/data/zh`` (ChnSentiCorp hotel reviews and
waimai_10k food-delivery reviews, label 1 = positive) and the ``train`` rows of the hand-written
intent set ``src/socialops/textkit/data/intent_messages.csv``. Fixed seed, so a run reproduces
the artifact. Needs the ``dev`` extra (scikit-learn); the product itself only needs numpy.
The functions here are also what benchmarks/sentiment_eval.py trains with.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from socialops.textkit.sentiment import INTENTS, SentimentModel, vectorize  # noqa: E402

SEED = 20261207
DIM = 1 << 18
#: The lexicon prior: ALPHA × lexicon score × exp(−|z| / TAU) added to the logit z. Fixed, not
#: fitted; chosen with C_SENTIMENT on the train rows of the intent set (see docs/sentiment.md).
ALPHA = 1.0
TAU = 2.0
#: Inverse regularisation of the three logistic regressions (strong for sentiment: it keeps
#: domain-specific n-grams from dominating, which is what carries across domains).
C_SENTIMENT = 1.0
C_NEUTRAL = 4.0
C_INTENT = 8.0
#: A social message counts this many reviews in the sentiment fit (short text is rarer).
SOCIAL_WEIGHT = 3.0
#: Share of each intent's messages held out (assigned once by ``--resplit``).
HELDOUT_SHARE = 0.25

INTENT_CSV = ROOT / "src/socialops/textkit/data/intent_messages.csv"
MODEL_PATH = ROOT / "src/socialops/textkit/data/sentiment_model.npz"
DEFAULT_SHARED = Path(os.environ.get("SOCIALOPS_SHARED_DATA") or ROOT.parent / "shared" / "data")


@dataclass(frozen=True, slots=True)
class Message:
    text: str
    intent: str
    sentiment: str
    split: str


def load_reviews(path: Path) -> tuple[list[str], list[int]]:
    """(texts, labels) of a ``label,review`` CSV file; empty reviews are skipped."""
    texts: list[str] = []
    labels: list[int] = []
    with path.open(encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            review = (row.get("review") or "").strip()
            if review and row["label"] in ("0", "1"):
                texts.append(review)
                labels.append(int(row["label"]))
    return texts, labels


def load_messages(path: Path = INTENT_CSV) -> list[Message]:
    """The hand-written intent set (``text,intent,sentiment,split``)."""
    with path.open(encoding="utf-8", newline="") as fh:
        return [Message(r["text"], r["intent"], r["sentiment"], r["split"]) for r in csv.DictReader(fh)]


def assign_splits(messages: Sequence[Message], seed: int = SEED) -> list[Message]:
    """Stratified by intent: shuffle each intent's messages with ``seed``, hold out the first 25%."""
    rng = random.Random(seed)
    heldout: set[int] = set()
    for intent in INTENTS:
        ids = [i for i, m in enumerate(messages) if m.intent == intent]
        rng.shuffle(ids)
        heldout.update(ids[: round(len(ids) * HELDOUT_SHARE)])
    return [
        Message(m.text, m.intent, m.sentiment, "heldout" if i in heldout else "train")
        for i, m in enumerate(messages)
    ]


def matrix(texts: Sequence[str], dim: int = DIM) -> tuple[sparse.csr_matrix, np.ndarray]:
    """Hashed feature matrix and lexicon scores of ``texts``."""
    indptr = [0]
    indices: list[np.ndarray] = []
    data: list[np.ndarray] = []
    lex = np.zeros(len(texts))
    for k, text in enumerate(texts):
        idx, val, lex[k] = vectorize(text, dim)
        indices.append(idx)
        data.append(val)
        indptr.append(indptr[-1] + len(idx))
    x = sparse.csr_matrix(
        (np.concatenate(data) if data else [], np.concatenate(indices) if indices else [], indptr),
        shape=(len(texts), dim),
    )
    return x, lex


def _logreg(x: sparse.csr_matrix, y: np.ndarray, c: float, weights: np.ndarray | None = None) -> Any:
    from sklearn.linear_model import LogisticRegression

    binary = len(set(y.tolist())) == 2
    model = LogisticRegression(
        C=c,
        max_iter=2000,
        class_weight="balanced",
        random_state=SEED,
        solver="liblinear" if binary else "lbfgs",
    )
    model.fit(x, y, sample_weight=weights)
    return model


def fit(
    texts: Sequence[str],
    labels: Sequence[int],
    messages: Sequence[Message] = (),
    *,
    alpha: float = ALPHA,
    dim: int = DIM,
) -> SentimentModel:
    """Fit the model: sentiment on ``texts``/``labels`` (1 = positive) plus the polar ``messages``;
    the neutral and intent models on ``messages`` (when given)."""
    polar = [m for m in messages if m.sentiment != "neutral"]
    all_texts = list(texts) + [m.text for m in polar]
    y = np.array(list(labels) + [int(m.sentiment == "positive") for m in polar])
    w = np.array([1.0] * len(texts) + [SOCIAL_WEIGHT] * len(polar))
    x, _lex = matrix(all_texts, dim)
    sent = _logreg(x, y, C_SENTIMENT, w)
    neu_w = intent_w = intent_b = None
    neu_b = 0.0
    if messages:
        xm, _ = matrix([m.text for m in messages], dim)
        neu = _logreg(xm, np.array([int(m.sentiment == "neutral") for m in messages]), C_NEUTRAL)
        neu_w, neu_b = neu.coef_[0], float(neu.intercept_[0])
        it = _logreg(xm, np.array([INTENTS.index(m.intent) for m in messages]), C_INTENT)
        intent_w, intent_b = it.coef_, it.intercept_
    return SentimentModel(
        dim=dim,
        sent_w=sent.coef_[0],
        sent_b=float(sent.intercept_[0]),
        alpha=alpha,
        tau=TAU,
        neu_w=neu_w,
        neu_b=neu_b,
        intent_w=intent_w,
        intent_b=intent_b,
    )


def write_messages(messages: Sequence[Message], path: Path = INTENT_CSV) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh, lineterminator="\n")
        out.writerow(["text", "intent", "sentiment", "split"])
        for m in messages:
            out.writerow([m.text, m.intent, m.sentiment, m.split])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED, help="the shared data folder")
    parser.add_argument("--out", type=Path, default=MODEL_PATH)
    parser.add_argument(
        "--resplit", action="store_true", help="only rewrite the split column of the intent set"
    )
    args = parser.parse_args(argv)
    messages = load_messages()
    if args.resplit:
        write_messages(assign_splits(messages))
        return 0
    texts: list[str] = []
    labels: list[int] = []
    for name in ("ChnSentiCorp_htl_all.csv", "waimai_10k.csv"):
        t, y = load_reviews(args.shared / "zh" / name)
        texts += t
        labels += y
    train = [m for m in messages if m.split == "train"]
    model = fit(texts, labels, train)
    model.save(args.out)
    print(f"{args.out}: {args.out.stat().st_size / 1e6:.2f} MB ({len(texts)} reviews, {len(train)} messages)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
