"""The body of `socialops fans value-model`: fit the customer-value model and print the estimates."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, TextIO

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from socialops.core.actors import SYSTEM
from socialops.workspaces.models import Workspace

from .services.value import value_model_fit


def _date(value: dt.date | str | None) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(_("Enter a valid date (YYYY-MM-DD): %(value)s") % {"value": value}) from exc


def run_value_model(
    *, workspace_slug: str, until: dt.date | str | None, unit: str, as_json: bool, stdout: TextIO
) -> None:
    """Fit the value model on a workspace's orders (as the system) and print the estimates.

    Refusals (unknown workspace, too few repeat customers, no convergence) raise CommandError,
    which the management command prints before exiting with status 1.
    """
    workspace = Workspace.objects.filter(slug=workspace_slug).first()
    if workspace is None:
        raise CommandError(_("No workspace with the slug “%(slug)s”.") % {"slug": workspace_slug})
    try:
        fit = value_model_fit(workspace=workspace, actor=SYSTEM, until=_date(until), unit=unit)
    except ValidationError as exc:
        raise CommandError(" ".join(exc.messages)) from exc
    params: dict[str, Any] = fit.params
    if as_json:
        out = {key: params[key] for key in ("n_customers", "r", "alpha", "a", "b", "p", "q", "gamma")}
        out.update(log_likelihood=params["bgnbd_loglik"], unit=fit.unit, until=fit.until.isoformat())
        stdout.write(json.dumps(out) + "\n")
        return
    unit_label = _("days") if fit.unit == "day" else _("weeks")
    lines = [
        _("Value model for %(workspace)s: orders up to %(until)s, time in %(unit)s")
        % {"workspace": workspace.name, "until": fit.until.isoformat(), "unit": unit_label},
        _("Customers: %(n)s (%(repeat)s bought on more than one day)")
        % {"n": params["n_customers"], "repeat": params["n_repeat_customers"]},
        "",
        f"{_('Repeat purchases (BG/NBD)'):<32}{'r':>8} {params['r']:>12.4f}",
        f"{'':<32}{'alpha':>8} {params['alpha']:>12.4f}",
        f"{'':<32}{'a':>8} {params['a']:>12.4f}",
        f"{'':<32}{'b':>8} {params['b']:>12.4f}",
        f"{'':<32}{_('log-lik.'):>8} {params['bgnbd_loglik']:>12.2f}",
        f"{_('Spend (Gamma-Gamma)'):<32}{'p':>8} {params['p']:>12.4f}",
        f"{'':<32}{'q':>8} {params['q']:>12.4f}",
        f"{'':<32}{'gamma':>8} {params['gamma']:>12.4f}",
        f"{'':<32}{_('log-lik.'):>8} {params['gg_loglik']:>12.2f}",
    ]
    if not (params["bgnbd_converged"] and params["gg_converged"]):
        lines += ["", _("Warning: the optimiser stopped before converging; treat the estimates with care.")]
    stdout.write("\n".join(lines) + "\n")
