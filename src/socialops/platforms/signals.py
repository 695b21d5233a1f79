"""Signals other apps may listen to (sent on commit, with ids only)."""

from __future__ import annotations

from django.dispatch import Signal

# A person marked a manual package posted. kwargs: workspace_id, account_id, task_id,
# idempotency_key, url. The publishing engine listens to finish the publication at once.
manual_posted = Signal()
