"""Small builders for account tests (through the services, as the product does)."""

from __future__ import annotations

from typing import Any

from socialops.accounts import services
from socialops.accounts.models import Persona, SocialAccount


def make_account(workspace: Any, handle: str = "acme_official", **kwargs: Any) -> SocialAccount:
    fields: dict[str, Any] = {"platform": "weibo", "display_name": handle.replace("_", " ").title()}
    fields.update(kwargs)
    return services.account_create(workspace=workspace, actor=None, handle=handle, **fields)


def make_persona(workspace: Any, account: SocialAccount, name: str = "白领妈妈", **kwargs: Any) -> Persona:
    fields: dict[str, Any] = {"age_band": "25-30"}
    fields.update(kwargs)
    return services.persona_create(workspace=workspace, actor=None, account=account, name=name, **fields)
