"""Report jobs: make one run (queued on commit), and every five minutes the due runs and the sweep."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from ..services import reports as svc


@db_task()
def execute_report_run(run_id: int) -> str:
    """Build, store and deliver one report run (a run no longer queued is left alone)."""
    return svc.run_execute(run_id)


def _later(run_id: int) -> None:
    execute_report_run(run_id)


svc.run_later[:] = [_later]


@db_periodic_task(crontab(minute="*/5"))
def report_schedules() -> dict[str, int]:
    """Every five minutes: the runs of slots that have passed (once each), then re-send lost runs."""
    made = svc.runs_create_due()
    swept = svc.runs_sweep()
    return {"made": len(made), "swept": len(swept)}
