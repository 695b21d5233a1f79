"""API of group moderation: the workspace's settings, and a check of messages against them."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from socialops.workspaces.api import api_workspace

from ..models.moderation import ModerationSettings
from ..moderation.engine import MessageFacts, judge
from ..moderation.rules import RULES
from ..selectors import moderation as sel
from ..services import moderation as svc
from ..services.moderation import LIMITS, MAX_WORDS, WORD_MAX_LENGTH

router = Router(tags=["community"])
BASE = "/workspaces/{slug}/community/moderation"


class ModerationSettingsOut(Schema):
    enabled_rules: list[str] = Field(description=f"rule codes in force, from: {', '.join(RULES)}")
    banned_words: list[str]
    allowed_domains: list[str]
    allowed_contacts: list[str]
    repeat_count: int
    repeat_window_minutes: int
    flood_per_minute: int
    new_member_hours: int
    mute_after_strikes: int
    mute_hours: int
    remove_after_strikes: int


def _bounded(name: str) -> Any:
    low, high = LIMITS[name]
    return Field(None, ge=low, le=high)


class ModerationSettingsPatch(Schema):
    enabled_rules: list[str] | None = Field(None, max_length=len(RULES), description=", ".join(RULES))
    banned_words: list[str] | None = Field(
        None, max_length=MAX_WORDS, description=f"each at most {WORD_MAX_LENGTH} characters"
    )
    allowed_domains: list[str] | None = Field(
        None, max_length=MAX_WORDS, description="hosts such as example.com"
    )
    allowed_contacts: list[str] | None = Field(
        None, max_length=MAX_WORDS, description="our own phone numbers, WeChat and QQ IDs"
    )
    repeat_count: int | None = _bounded("repeat_count")
    repeat_window_minutes: int | None = _bounded("repeat_window_minutes")
    flood_per_minute: int | None = _bounded("flood_per_minute")
    new_member_hours: int | None = _bounded("new_member_hours")
    mute_after_strikes: int | None = _bounded("mute_after_strikes")
    mute_hours: int | None = _bounded("mute_hours")
    remove_after_strikes: int | None = _bounded("remove_after_strikes")


class ModerationCheckIn(Schema):
    text: str = Field("", max_length=4000)
    has_image_qr: bool = False


class ModerationVerdictOut(Schema):
    spam: bool
    rule: str = Field(description="the deciding rule's code, empty when the message is fine")
    reason: str
    evidence: str = Field(description="the part of the message that matched")
    severity: str = Field(description="none, low (delete, no strike) or high (delete and strike)")


def _settings_out(row: ModerationSettings) -> dict[str, Any]:
    return {name: getattr(row, name) for name in ModerationSettingsOut.model_fields}


@router.get(f"{BASE}/settings", response=ModerationSettingsOut, summary="The groups' moderation settings")
def moderation_settings_detail(request: HttpRequest, slug: str) -> dict[str, Any]:
    return _settings_out(sel.moderation_settings(workspace=api_workspace(request, slug), user=request.user))


@router.patch(
    f"{BASE}/settings",
    response=ModerationSettingsOut,
    summary="Change the moderation settings (needs the moderation permission)",
)
def moderation_settings_patch(
    request: HttpRequest, slug: str, payload: ModerationSettingsPatch
) -> dict[str, Any]:
    workspace = api_workspace(request, slug)
    fields = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    return _settings_out(svc.moderation_settings_update(workspace=workspace, actor=request.user, **fields))


@router.post(
    f"{BASE}/check",
    response=ModerationVerdictOut,
    summary="Run the workspace's moderation rules on one message (nothing is stored)",
)
def moderation_check(request: HttpRequest, slug: str, payload: ModerationCheckIn) -> dict[str, Any]:
    row = sel.moderation_settings(workspace=api_workspace(request, slug), user=request.user)
    facts = MessageFacts(text=payload.text, has_image=payload.has_image_qr, image_has_qr=payload.has_image_qr)
    return judge(facts, sel.policy_from(row)).as_dict()
