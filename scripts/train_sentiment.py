"""Train the shipped sentiment / intent model (``src/socialops/textkit/data/sentiment_model.npz``).

    .venv/bin/python scripts/train_sentiment.py [--shared ../shared/data] [--out PATH]
    .venv/bin/python scripts/train_sentiment.py --resplit   # rewrite the split column only
    .venv/bin/python scripts/train_sentiment.py --tune      # re-run the hyper-parameter choice

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
#: Inverse regularisation of the sentiment logistic regression and the lexicon prior
#: (ALPHA × lexicon score × exp(−|z| / TAU) added to the logit z). Chosen by ``--tune`` on the
#: training part of the benchmark's reviews split and the intent set's ``train`` rows only (never
#: a held-out row), by log-loss: C by 3-fold cross-validation on the training reviews; then ALPHA
#: and TAU by the mean of (a) that cross-validated log-loss with the prior and (b) the log-loss on
#: the polar ``train`` messages of a model fitted on the training reviews alone — the prior must
#: not cost on familiar text while it helps on text unlike the reviews. See docs/sentiment.md.
C_SENTIMENT = 10.0
ALPHA = 0.5
TAU = 8.0
C_GRID = (0.3, 1.0, 3.0, 10.0, 30.0)
PRIOR_GRID = ((0.0, 1.0), *((a, t) for a in (0.25, 0.5, 1.0, 1.5) for t in (1.0, 2.0, 4.0, 8.0, 16.0)))
#: Add-one smoothing of the naive-Bayes log-count ratios that scale the sentiment features.
NB_SMOOTHING = 1.0
#: Inverse regularisation of the neutral-vs-polar and intent logistic regressions.
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


def nb_ratio(x: sparse.csr_matrix, y: np.ndarray, smoothing: float = NB_SMOOTHING) -> np.ndarray:
    """Naive-Bayes log-count ratio of every feature bucket: log of its share among the positive
    texts' features over its share among the negative ones (presence counts, add-``smoothing``)."""
    present = (x > 0).astype(np.float64).tocsr()
    p = np.asarray(present[y == 1].sum(axis=0)).ravel() + smoothing
    q = np.asarray(present[y == 0].sum(axis=0)).ravel() + smoothing
    return np.asarray(np.log((p / p.sum()) / (q / q.sum())))


def fit_sentiment(
    x: sparse.csr_matrix, y: np.ndarray, c: float = C_SENTIMENT, weights: np.ndarray | None = None
) -> tuple[np.ndarray, float]:
    """(weights, bias) of the sentiment model: logistic regression on the features scaled by their
    naive-Bayes ratios (NB-LR, Wang & Manning 2012); the ratios are folded into the weights, so the
    run-time model stays one dot product over the plain features."""
    r = nb_ratio(x, y)
    model = _logreg(x @ sparse.diags(r), y, c, weights)
    return model.coef_[0] * r, float(model.intercept_[0])


def prior_logit(z: np.ndarray, lex: np.ndarray, alpha: float, tau: float) -> np.ndarray:
    """The logit with the lexicon prior, as ``SentimentModel.p_positive`` computes it."""
    return np.asarray(z + alpha * lex * np.exp(-np.abs(z) / tau))


def _sentiment_rows(
    texts: Sequence[str], labels: Sequence[int], messages: Sequence[Message]
) -> tuple[list[str], np.ndarray, np.ndarray]:
    polar = [m for m in messages if m.sentiment != "neutral"]
    all_texts = list(texts) + [m.text for m in polar]
    y = np.array(list(labels) + [int(m.sentiment == "positive") for m in polar])
    w = np.array([1.0] * len(texts) + [SOCIAL_WEIGHT] * len(polar))
    return all_texts, y, w


def fit(
    texts: Sequence[str],
    labels: Sequence[int],
    messages: Sequence[Message] = (),
    *,
    c: float = C_SENTIMENT,
    alpha: float = ALPHA,
    tau: float = TAU,
    dim: int = DIM,
) -> SentimentModel:
    """Fit the model: sentiment on ``texts``/``labels`` (1 = positive) plus the polar ``messages``;
    the neutral and intent models on ``messages`` (when given)."""
    all_texts, y, w = _sentiment_rows(texts, labels, messages)
    x, _lex = matrix(all_texts, dim)
    sent_w, sent_b = fit_sentiment(x, y, c, w)
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
        sent_w=sent_w,
        sent_b=sent_b,
        alpha=alpha,
        tau=tau,
        neu_w=neu_w,
        neu_b=neu_b,
        intent_w=intent_w,
        intent_b=intent_b,
    )


def stratified_split(labels: Sequence[int], share: float, seed: int = SEED) -> tuple[list[int], list[int]]:
    """(train, test) row numbers: ``share`` of each label's rows, shuffled with ``seed``, to test."""
    rng = np.random.default_rng(seed)
    train: list[int] = []
    test: list[int] = []
    arr = np.asarray(labels)
    for c in (0, 1):
        ids = np.flatnonzero(arr == c)
        rng.shuffle(ids)
        k = round(len(ids) * share)
        test += ids[:k].tolist()
        train += ids[k:].tolist()
    return sorted(train), sorted(test)


def tune(
    texts: Sequence[str], labels: Sequence[int], messages: Sequence[Message], *, folds: int = 3
) -> tuple[float, float, float]:
    """(C, alpha, tau) chosen on training rows only (see the constants above); prints the grid.

    ``texts``/``labels`` are training reviews, ``messages`` training messages; the first best
    value in grid order wins a tie."""
    from sklearn.model_selection import StratifiedKFold

    x, lex = matrix(texts)
    y = np.asarray(labels)
    polar = [m for m in messages if m.sentiment != "neutral"]
    xs, lex_s = matrix([m.text for m in polar])
    ys = np.array([int(m.sentiment == "positive") for m in polar])
    splits = list(StratifiedKFold(folds, shuffle=True, random_state=SEED).split(np.zeros(len(y)), y))

    def log_loss(gold: np.ndarray, z: np.ndarray) -> float:
        p = np.clip(1.0 / (1.0 + np.exp(-np.clip(z, -30.0, 30.0))), 1e-6, 1 - 1e-6)
        return float(-(gold * np.log(p) + (1 - gold) * np.log(1 - p)).mean())

    def accuracy(gold: np.ndarray, z: np.ndarray) -> float:
        return float(((z >= 0).astype(int) == gold).mean())

    cv_z: dict[float, np.ndarray] = {}
    social_z: dict[float, np.ndarray] = {}
    for c in C_GRID:
        z = np.zeros(len(y))
        for train_rows, test_rows in splits:
            xa = sparse.vstack([x[train_rows], xs]).tocsr()
            ya = np.concatenate([y[train_rows], ys])
            wa = np.concatenate([np.ones(len(train_rows)), np.full(len(ys), SOCIAL_WEIGHT)])
            w, b = fit_sentiment(xa, ya, c, wa)
            z[test_rows] = x[test_rows] @ w + b
        cv_z[c] = z
        w, b = fit_sentiment(x, y, c)
        social_z[c] = xs @ w + b
        print(
            f"C={c:<5} cross-validated log-loss {log_loss(y, z):.4f}, "
            f"accuracy {accuracy(y, z):.4f} (no prior)"
        )
    best_c = min(C_GRID, key=lambda c: log_loss(y, cv_z[c]))
    scores = {}
    for alpha, tau in PRIOR_GRID:
        zc = prior_logit(cv_z[best_c], lex, alpha, tau)
        zs = prior_logit(social_z[best_c], lex_s, alpha, tau)
        scores[alpha, tau] = (log_loss(y, zc) + log_loss(ys, zs)) / 2
        print(
            f"C={best_c} alpha={alpha} tau={tau}: log-loss cross-validated {log_loss(y, zc):.4f}, "
            f"polar train messages {log_loss(ys, zs):.4f}, mean {scores[alpha, tau]:.4f} "
            f"(accuracy {accuracy(y, zc):.4f} / {accuracy(ys, zs):.4f})"
        )
    alpha, tau = min(PRIOR_GRID, key=lambda k: scores[k])
    print(f"chosen: C={best_c} alpha={alpha} tau={tau}")
    return best_c, alpha, tau


def load_review_sets(shared: Path) -> tuple[list[str], list[int]]:
    """Hotel then food-delivery reviews of the shared data folder."""
    texts: list[str] = []
    labels: list[int] = []
    for name in ("ChnSentiCorp_htl_all.csv", "waimai_10k.csv"):
        t, y = load_reviews(shared / "zh" / name)
        texts += t
        labels += y
    return texts, labels


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
    parser.add_argument(
        "--tune",
        action="store_true",
        help="only re-run the choice of C, alpha and tau (on the benchmark's training rows)",
    )
    args = parser.parse_args(argv)
    messages = load_messages()
    if args.resplit:
        write_messages(assign_splits(messages))
        return 0
    texts, labels = load_review_sets(args.shared)
    train = [m for m in messages if m.split == "train"]
    if args.tune:
        rows, _ = stratified_split(labels, 0.2)
        tune([texts[i] for i in rows], [labels[i] for i in rows], train)
        return 0
    model = fit(texts, labels, train)
    model.save(args.out)
    print(f"{args.out}: {args.out.stat().st_size / 1e6:.2f} MB ({len(texts)} reviews, {len(train)} messages)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
