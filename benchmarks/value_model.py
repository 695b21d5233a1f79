"""Speed and parameter recovery of the customer-value model (fans/value_model.py) on simulated shops.

    .venv/bin/python benchmarks/value_model.py                       # 1,000,000 customers (~2M order lines)
    .venv/bin/python benchmarks/value_model.py --customers 100000 --seeds 5

Customers are drawn from the models themselves (BG/NBD: Fader, Hardie & Lee 2005a; Gamma-Gamma:
2005b) with known parameters, first purchases spread over two years, purchase times rounded to
days, so the fit should recover the truth (up to sampling noise and the rounding). Printed per
seed: time to summarise the order lines, to fit both models and to score every customer, and
the estimates against the truth. The baseline is the truth itself: its log-likelihood on the
same data is printed beside the fitted one (the fit must not be worse).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from socialops.fans import value_model as vm  # noqa: E402

TRUTH = {"r": 0.25, "alpha": 30.0, "a": 0.8, "b": 2.5, "p": 6.0, "q": 4.0, "gamma": 150.0}
UNTIL = 800_000  # an arbitrary day number: the end of the observation period


def simulate(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Order lines (customer, day, amount) of ``n`` customers drawn from BG/NBD + Gamma-Gamma."""
    rng = np.random.default_rng(seed)
    T = rng.uniform(1, 730, n)
    lam = rng.gamma(TRUTH["r"], 1 / TRUTH["alpha"], n)
    drop = rng.beta(TRUTH["a"], TRUTH["b"], n)
    # Repeat purchases: Poisson arrivals in (0, T], stopped by the geometric dropout after each one.
    arrivals = rng.poisson(lam * T)
    x = np.minimum(arrivals, rng.geometric(drop))
    # The x-th of `arrivals` uniform times in (0, T] is T times a Beta(x, arrivals - x + 1).
    t_x = np.where(x > 0, T * rng.beta(np.maximum(x, 1), arrivals - x + 1), 0.0)
    first = UNTIL - np.floor(T).astype(np.int64)
    # The repeat days: the last at t_x, the others uniform before it.
    owner = np.repeat(np.arange(n), x)
    offset = rng.uniform(0, 1, owner.size) * t_x[owner]
    last_of = np.cumsum(x) - 1
    offset[last_of[x > 0]] = t_x[x > 0]
    customer = np.concatenate([np.arange(n), owner])
    day = np.concatenate([first, first[owner] + np.floor(offset).astype(np.int64)])
    nu = rng.gamma(TRUTH["q"], 1 / TRUTH["gamma"], n)
    amount = np.round(rng.gamma(TRUTH["p"], 1 / nu[customer]), 2)
    return customer, day, amount


def main() -> None:
    """Simulate, summarise, fit and score; print timings and estimates."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--seeds", type=int, default=1)
    args = parser.parse_args()
    names = list(TRUTH)
    print(
        f"{'seed':>4} {'lines':>9} {'summ s':>7} {'fit s':>7} "
        + " ".join(f"{k:>8}" for k in names)
        + "   LL fit - LL truth"
    )
    print(f"{'':>4} {'':>9} {'':>7} {'truth':>7} " + " ".join(f"{TRUTH[k]:>8.3f}" for k in names))
    for seed in range(args.seeds):
        customer, day, amount = simulate(args.customers, seed)
        t0 = time.perf_counter()
        summary = vm.summarise(customer, day, amount, until=UNTIL, unit="day")
        t1 = time.perf_counter()
        fit = vm.fit_value_model(summary, unit="day")
        t2 = time.perf_counter()
        got = {
            **{k: getattr(fit.bgnbd, k) for k in names[:4]},
            **{k: getattr(fit.gamma_gamma, k) for k in names[4:]},
        }
        truth_ll = vm.bgnbd_loglik([TRUTH[k] for k in names[:4]], summary.x, summary.t_x, summary.T)
        print(
            f"{seed:>4} {customer.size:>9} {t1 - t0:>7.2f} {t2 - t1:>7.2f} "
            + " ".join(f"{got[k]:>8.3f}" for k in names)
            + f"   {fit.bgnbd.loglik - truth_ll:+.1f}"
        )


if __name__ == "__main__":
    main()
