"""The customer-value model: the papers' statistics, the CDNOW reproduction, the service and the CLI."""

from __future__ import annotations

import datetime as dt
import io
import json
import zoneinfo
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import CommandError
from django.http import Http404
from scipy.optimize import check_grad

from socialops.fans import value_model as vm
from socialops.fans.cli_value import run_value_model
from socialops.fans.models import OrderLine, Person, ValueModelFit
from socialops.fans.services.value import value_model_fit
from socialops.workspaces.models import AuditEntry, Workspace
from socialops.workspaces.roles import Role
from tests.factories import make_order_line, make_person

CDNOW = Path(__file__).parent / "data" / "CDNOW_sample.txt"
CALIBRATION_END = dt.date(1997, 9, 30)
# Fader, Hardie & Lee (2005a), BG/NBD on the CDNOW sample, 39 weeks of calibration.
PUBLISHED_BGNBD = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
PUBLISHED_BGNBD_LL = -9582.4
# Fader, Hardie & Lee (2005b), Gamma-Gamma on the 946 repeat customers' mean repeat spend.
PUBLISHED_GG = {"p": 6.25, "q": 3.74, "gamma": 15.44}


def _cdnow_rows() -> list[tuple[int, dt.date, float]]:
    rows = []
    for line in CDNOW.read_text().splitlines():
        master, _sample, date, _cds, dollars = line.split()
        rows.append((int(master), dt.datetime.strptime(date, "%Y%m%d").date(), float(dollars)))
    return rows


@pytest.fixture(scope="module")
def cdnow() -> vm.Summary:
    rows = _cdnow_rows()
    return vm.summarise(
        [r[0] for r in rows],
        [r[1].toordinal() for r in rows],
        [r[2] for r in rows],
        until=CALIBRATION_END.toordinal(),
        unit="week",
    )


# ---- the summary statistics ---------------------------------------------------------------------


def test_summary_counts_repeat_days_and_measures_from_the_first_purchase() -> None:
    d = dt.date(2024, 1, 1).toordinal()
    s = vm.summarise(
        # customer 1: two lines on day 0 (one purchase), then days 7 and 21; customer 2: once.
        [1, 1, 1, 1, 2],
        [d, d, d + 7, d + 21, d + 14],
        [10.0, 5.0, 20.0, 40.0, 8.0],
        until=d + 28,
        unit="day",
    )
    assert list(s.customer) == [1, 2]
    assert list(s.x) == [2, 0]
    assert list(s.t_x) == [21, 0]
    assert list(s.T) == [28, 14]
    # mean of the repeat days only (the first purchase is left out, as in the paper)
    assert list(s.monetary) == [30.0, 0.0]


def test_weeks_are_fractional_and_the_cdnow_calibration_gives_the_papers_T() -> None:
    s = vm.summarise(
        [1], [dt.date(1997, 1, 1).toordinal()], [9.99], until=CALIBRATION_END.toordinal(), unit="week"
    )
    assert s.T[0] == pytest.approx(272 / 7)
    assert s.T[0] == pytest.approx(38.86, abs=0.005)


def test_cancellations_net_out_per_day_and_later_orders_are_ignored() -> None:
    d = dt.date(2024, 1, 1).toordinal()
    s = vm.summarise(
        [1] * 9,
        # day 0: bought; day 3: bought and fully cancelled; day 5: bought 0.1 + 0.2, returned 0.3;
        # day 6: a free sample; day 9: partly cancelled; day 40: after the end
        [d, d + 3, d + 3, d + 5, d + 5, d + 5, d + 6, d + 9, d + 40],
        [50.0, 30.0, -30.0, 0.1, 0.2, -0.3, 0.0, 70.0, 99.0],
        until=d + 30,
    )
    s2 = vm.summarise([1, 1, 1], [d, d + 9, d + 9], [50.0, 100.0, -30.0], until=d + 30)
    assert s.x[0] == 2  # days 6 and 9 (the fully cancelled days 3 and 5 do not count)
    assert s.t_x[0] == 9
    assert s.monetary[0] == pytest.approx(35.0)
    assert s2.monetary[0] == pytest.approx(70.0)
    late = vm.summarise([1, 1], [d, d + 40], [5.0, 5.0], until=d + 30)
    assert late.x[0] == 0 and late.T[0] == 30


@pytest.mark.parametrize(
    "zone", ["Asia/Shanghai", "America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu"]
)
def test_local_days_follow_the_time_zone_through_daylight_saving(zone: str) -> None:
    tz = zoneinfo.ZoneInfo(zone)
    rng = np.random.default_rng(1)
    start = dt.datetime(2023, 1, 1, tzinfo=dt.UTC).timestamp()
    seconds = np.r_[rng.uniform(start, start + 2 * 365 * 86400, 3000), start]
    expected = [dt.datetime.fromtimestamp(s, dt.UTC).astimezone(tz).date().toordinal() for s in seconds]
    assert list(vm.local_days(seconds, tz)) == expected


# ---- reproducing the papers on CDNOW ------------------------------------------------------------


def test_cdnow_summary_matches_the_paper(cdnow: vm.Summary) -> None:
    assert cdnow.n_customers == 2357
    assert cdnow.n_repeat == 946
    assert cdnow.x.sum() == 2457  # repeat transactions in the 39 weeks


def test_bgnbd_reproduces_the_published_estimates(cdnow: vm.Summary) -> None:
    fit = vm.fit_bgnbd(cdnow.x, cdnow.t_x, cdnow.T)
    assert fit.converged
    for name, published in PUBLISHED_BGNBD.items():
        assert getattr(fit, name) == pytest.approx(published, rel=0.02), name
    assert fit.loglik == pytest.approx(PUBLISHED_BGNBD_LL, abs=0.1)


def test_gamma_gamma_reproduces_the_published_estimates(cdnow: vm.Summary) -> None:
    fit = vm.fit_gamma_gamma(cdnow.x, cdnow.monetary)
    assert fit.converged
    for name, published in PUBLISHED_GG.items():
        assert getattr(fit, name) == pytest.approx(published, rel=0.02), name


def test_conditional_expectation_matches_the_papers_worked_example() -> None:
    # BG/NBD paper, section 5: a customer with x = 2, t_x = 30.43, T = 38.86 weeks is expected
    # to make 1.226 purchases in the next 39 weeks (with the published parameters).
    model = vm.BGNBD(0.243, 4.414, 0.793, 2.426, 0.0, True)
    one = np.array([2.0]), np.array([30.43]), np.array([38.86])
    assert vm.bgnbd_expected(model, 39, *one)[0] == pytest.approx(1.226, abs=0.002)


def test_gradients_match_finite_differences(cdnow: vm.Summary) -> None:
    sample = slice(0, 400)
    x, t_x, T = cdnow.x[sample], cdnow.t_x[sample], cdnow.T[sample]
    point = np.log([0.3, 4.0, 0.8, 2.5])
    bg = vm._BGData.of(x, t_x, T)
    err = check_grad(lambda p: vm._bgnbd_objective(p, bg)[0], lambda p: vm._bgnbd_objective(p, bg)[1], point)
    assert err < 1e-5
    rep = cdnow.x > 0
    gx, gm = cdnow.x[rep], cdnow.monetary[rep]
    gg = vm._GGData.of(gx, gm)
    err = check_grad(
        lambda p: vm._gg_objective(p, gg)[0], lambda p: vm._gg_objective(p, gg)[1], np.log([6.0, 4.0, 15.0])
    )
    assert err < 1e-5


def test_scores_stay_finite_and_sensible_for_huge_histories() -> None:
    model = vm.BGNBD(0.5, 80.0, 0.8, 2.5, 0.0, True)
    x = np.array([0.0, 1.0, 50.0, 500.0, 5000.0, 20000.0, 20000.0])
    T = np.array([3000.0, 3000.0, 3000.0, 3000.0, 30000.0, 30000.0, 30000.0])
    t_x = np.array([0.0, 2970.0, 2970.0, 2970.0, 29700.0, 29700.0, 30000.0])
    expected = vm.bgnbd_expected(model, 90, x, t_x, T)
    alive = vm.p_alive(model, x, t_x, T)
    assert np.all(np.isfinite(expected)) and np.all(expected >= 0)
    assert np.all((alive >= 0) & (alive <= 1))
    # someone buying every 1.5 days who just bought: about 60 purchases in 90 days
    assert expected[-1] == pytest.approx(90 * 20000 / 30000, rel=0.05)
    # ... and after 300 silent days, surely gone
    assert expected[-2] < 1e-6 and alive[-2] < 1e-6


def test_hypergeometric_fallback_agrees_with_scipy() -> None:
    from scipy.special import hyp2f1

    c = np.array([2.0, 10.0, 100.0, 5000.0])
    z = np.array([0.1, 0.5, 0.9, 0.95])
    series = vm._hyp2f1_series(np.full(4, 2.2), np.full(4, -0.2), c, z)
    reference = hyp2f1(2.2, -0.2, c, z)
    assert np.allclose(series[:3], reference[:3])
    # scipy gives up (nan) for a large c near z = 1, which heavy buyers reach; the series does not:
    # there the sum is 1 + ab z / c + O(1/c²)
    assert np.isnan(reference[3]) or np.isclose(reference[3], series[3])
    assert series[3] == pytest.approx(1 - 2.2 * 0.2 * 0.95 / 5000, abs=1e-7)


def test_too_few_repeat_customers_is_refused() -> None:
    s = vm.summarise([1, 1, 2], [1, 5, 3], [1.0, 2.0, 3.0], until=10)
    with pytest.raises(vm.ValueModelError) as info:
        vm.fit_value_model(s)
    assert info.value.code == "too_few" and info.value.repeat_customers == 1


# ---- the service and the command -----------------------------------------------------------------


def _load_cdnow(workspace: Workspace) -> None:
    """The CDNOW transactions as order lines of people (customer id = the master id), noon local time."""
    rows = _cdnow_rows()
    people = Person.objects.bulk_create(
        Person(workspace=workspace, customer_id=str(cid)) for cid in sorted({r[0] for r in rows})
    )
    by_id = {p.customer_id: p for p in people}
    OrderLine.objects.bulk_create(
        OrderLine(
            workspace=workspace,
            person=by_id[str(cid)],
            customer_id=str(cid),
            order_id=f"{cid}-{i}",
            line_key="1",
            ordered_at=dt.datetime.combine(day, dt.time(12), tzinfo=workspace.tz),
            amount=Decimal(f"{dollars:.2f}"),
        )
        for i, (cid, day, dollars) in enumerate(rows)
    )


def test_cli_reproduces_the_paper_from_order_lines(workspace: Workspace) -> None:
    _load_cdnow(workspace)
    bystander = make_person(workspace, "没买过")
    out = io.StringIO()
    run_value_model(workspace_slug="acme", until=CALIBRATION_END, unit="week", as_json=True, stdout=out)
    data = json.loads(out.getvalue())
    assert set(data) == {
        "n_customers",
        "r",
        "alpha",
        "a",
        "b",
        "p",
        "q",
        "gamma",
        "log_likelihood",
        "unit",
        "until",
    }
    assert data["n_customers"] == 2357
    assert data["unit"] == "week" and data["until"] == "1997-09-30"
    for name, published in {**PUBLISHED_BGNBD, **PUBLISHED_GG}.items():
        assert data[name] == pytest.approx(published, rel=0.02), name
    assert data["log_likelihood"] == pytest.approx(PUBLISHED_BGNBD_LL, abs=0.1)

    # every customer is scored; someone who never bought is not
    scored = Person.objects.filter(workspace=workspace, p_alive__isnull=False)
    assert scored.count() == 2357
    bystander.refresh_from_db()
    assert bystander.expected_purchases_90d is None and bystander.expected_value is None
    # the worked example's history (x = 2, t_x = 30.43, T = 38.86) is the sample's first customer
    example = Person.objects.get(workspace=workspace, customer_id="4")
    assert example.p_alive == pytest.approx(0.727, abs=0.005)
    assert (example.expected_purchases_90d or 0) > 0
    assert (example.expected_value or 0) > 0


def test_cli_prints_a_readable_table(workspace: Workspace) -> None:
    _load_cdnow(workspace)
    out = io.StringIO()
    run_value_model(workspace_slug="acme", until="1997-09-30", unit="week", as_json=False, stdout=out)
    text = out.getvalue()
    assert "Customers: 2357 (946 bought on more than one day)" in text
    assert "Repeat purchases (BG/NBD)" in text and "0.24" in text
    assert "Spend (Gamma-Gamma)" in text


def test_cli_refuses_too_few_customers_with_a_message(workspace: Workspace) -> None:
    person = make_person(workspace, "小王")
    make_order_line(workspace, person, "50.00")
    with pytest.raises(CommandError, match="Too few repeat customers to fit the value model: 0 bought"):
        run_value_model(workspace_slug="acme", until=None, unit="day", as_json=True, stdout=io.StringIO())
    with pytest.raises(CommandError, match="No workspace"):
        run_value_model(workspace_slug="nope", until=None, unit="day", as_json=True, stdout=io.StringIO())


def test_service_scores_people_records_the_fit_and_leaves_other_workspaces_alone(
    workspace: Workspace, other_workspace: Workspace, member: Any
) -> None:
    _load_cdnow(workspace)
    stranger = make_person(other_workspace, "别人", expected_value=Decimal("7.00"))
    operator = member(Role.OPERATOR)
    fit = value_model_fit(workspace=workspace, actor=operator, until=CALIBRATION_END, unit="day")
    assert ValueModelFit.objects.get(workspace=workspace) == fit
    assert fit.unit == "day" and fit.n_customers == 2357
    # the same data in days: the shapes are unchanged and alpha is 7 times the weekly one
    assert fit.params["r"] == pytest.approx(0.243, rel=0.02)
    assert fit.params["alpha"] == pytest.approx(7 * 4.414, rel=0.02)
    assert fit.params["bgnbd_converged"] and fit.params["gg_converged"]
    entry = AuditEntry.objects.get(workspace=workspace, action="value_model_fit.create")
    assert entry.actor == operator
    stranger.refresh_from_db()
    assert stranger.expected_value == Decimal("7.00")
    # a later order does not count before `until`; refitting replaces the scores
    assert Person.objects.filter(workspace=workspace, expected_value__isnull=True).count() == 0


def test_days_are_local_days_of_the_workspace_and_until_is_inclusive(workspace: Workspace) -> None:
    # 23:30 and 00:30 Beijing time are two days, though both fall on one UTC date.
    tz = workspace.tz
    people = [make_person(workspace, f"p{i}") for i in range(25)]
    for i, person in enumerate(people):
        make_order_line(workspace, person, "10.00", when=dt.datetime(2024, 3, 1, 23, 30, tzinfo=tz))
        make_order_line(workspace, person, "20.00", when=dt.datetime(2024, 3, 2, 0, 30, tzinfo=tz))
        # a same-day return of everything bought that day: no purchase on 3 March
        make_order_line(workspace, person, "5.00", when=dt.datetime(2024, 3, 3, 9, tzinfo=tz))
        make_order_line(workspace, person, "-5.00", when=dt.datetime(2024, 3, 3, 18, tzinfo=tz))
        # on the last day, and the day after it (ignored)
        make_order_line(workspace, person, str(30 + i), when=dt.datetime(2024, 3, 10, 23, 59, tzinfo=tz))
        make_order_line(workspace, person, "99.00", when=dt.datetime(2024, 3, 11, 0, 1, tzinfo=tz))
    from socialops.fans.services.value import _order_lines

    person, day, amount, refunds = _order_lines(workspace, dt.date(2024, 3, 10))
    s = vm.summarise(person, day, amount, until=dt.date(2024, 3, 10).toordinal(), refunds=refunds)
    assert list(s.x) == [2] * 25
    assert list(s.t_x) == [9] * 25 and list(s.T) == [9] * 25
    assert s.monetary[0] == pytest.approx((20 + 30) / 2)


def test_service_needs_fans_edit(workspace: Workspace, other_workspace: Workspace, member: Any) -> None:
    analyst = member(Role.ANALYST)
    with pytest.raises(PermissionDenied):
        value_model_fit(workspace=workspace, actor=analyst)
    outsider = member(Role.ADMIN, ws=other_workspace)
    with pytest.raises(Http404):
        value_model_fit(workspace=workspace, actor=outsider)
    with pytest.raises(ValidationError, match="Choose day or week"):
        value_model_fit(workspace=workspace, actor=None, unit="month")
