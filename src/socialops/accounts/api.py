"""API: social accounts (ours and competitors'), personas; the competitor comparison is in goals."""

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Path, Router, Schema, Status
from ninja.pagination import paginate

from socialops.core.api import choice_label
from socialops.workspaces.api import api_create, api_delete, api_object, api_select

from . import selectors, services
from .models import Persona, SocialAccount

router = Router(tags=["accounts"])


# The schema only bounds sizes (so no input can hurt the server); the services give the precise,
# field-named messages (20 labels of at most 30 characters, hours 0–23, …) as 400s.
Label = Annotated[str, Field(max_length=200)]
Hour = Annotated[int, Field(ge=-100_000, le=100_000)]
ObjectId = Annotated[int, Path(ge=1, le=2**53)]


class AccountOut(Schema):
    id: int
    platform: str
    platform_label: str
    handle: str
    display_name: str
    is_competitor: bool
    url: str
    positioning: str
    brand_traits: list[str]
    market_position: str
    style_rules: str
    tone: str
    notes: str
    created_at: dt.datetime
    updated_at: dt.datetime

    resolve_platform_label = choice_label("platform")


class AccountIn(Schema):
    platform: str = Field(..., max_length=40)
    handle: str = Field(..., max_length=200)
    display_name: str = Field(..., max_length=200)
    is_competitor: bool = False
    url: str = Field("", max_length=400)
    positioning: str = Field("", max_length=400)
    brand_traits: list[Label] = Field(default_factory=list, max_length=100)
    market_position: str = Field("", max_length=5000)
    style_rules: str = Field("", max_length=5000)
    tone: str = Field("", max_length=5000)
    notes: str = Field("", max_length=5000)


class AccountPatchIn(Schema):
    platform: str | None = Field(None, max_length=40)
    handle: str | None = Field(None, max_length=200)
    display_name: str | None = Field(None, max_length=200)
    is_competitor: bool | None = None
    url: str | None = Field(None, max_length=400)
    positioning: str | None = Field(None, max_length=400)
    brand_traits: list[Label] | None = Field(None, max_length=100)
    market_position: str | None = Field(None, max_length=5000)
    style_rules: str | None = Field(None, max_length=5000)
    tone: str | None = Field(None, max_length=5000)
    notes: str | None = Field(None, max_length=5000)


class PersonaOut(Schema):
    id: int
    account_id: int
    name: str
    age_band: str
    female_share: int
    city_tiers: list[str]
    interests: list[str]
    active_hours: list[int]
    description: str


class PersonaIn(Schema):
    name: str = Field(..., max_length=200)
    age_band: str = Field(..., max_length=20)
    female_share: int = Field(50, ge=0, le=100)
    city_tiers: list[Label] = Field(default_factory=list, max_length=50)
    interests: list[Label] = Field(default_factory=list, max_length=100)
    active_hours: list[Hour] = Field(default_factory=list, max_length=100)
    description: str = Field("", max_length=5000)


class PersonaPatchIn(Schema):
    name: str | None = Field(None, max_length=200)
    age_band: str | None = Field(None, max_length=20)
    female_share: int | None = Field(None, ge=0, le=100)
    city_tiers: list[Label] | None = Field(None, max_length=50)
    interests: list[Label] | None = Field(None, max_length=100)
    active_hours: list[Hour] | None = Field(None, max_length=100)
    description: str | None = Field(None, max_length=5000)


@router.get("/workspaces/{slug}/accounts", response=list[AccountOut], summary="Accounts, ours first")
@paginate
def account_list(request: HttpRequest, slug: str, competitor: bool | None = None) -> Any:
    return api_select(request, slug, selectors.account_list, is_competitor=competitor)


@router.post(
    "/workspaces/{slug}/accounts", response={201: AccountOut}, summary="Add an account or a competitor's"
)
def account_create(request: HttpRequest, slug: str, payload: AccountIn) -> Status[SocialAccount]:
    return api_create(request, slug, services.account_create, **payload.dict())


@router.get("/workspaces/{slug}/accounts/{account_id}", response=AccountOut)
def account_detail(request: HttpRequest, slug: str, account_id: ObjectId) -> SocialAccount:
    return api_select(request, slug, selectors.account_get, account_id=account_id)


@router.patch("/workspaces/{slug}/accounts/{account_id}", response=AccountOut)
def account_patch(
    request: HttpRequest, slug: str, account_id: ObjectId, payload: AccountPatchIn
) -> SocialAccount:
    workspace, account = api_object(request, slug, selectors.account_get, account_id=account_id)
    fields = payload.dict(exclude_unset=True, exclude_none=True)
    return services.account_update(workspace=workspace, actor=request.user, account=account, **fields)


@router.delete("/workspaces/{slug}/accounts/{account_id}", response={204: None})
def account_delete(request: HttpRequest, slug: str, account_id: ObjectId) -> Status[None]:
    return api_delete(
        request, slug, selectors.account_get, services.account_delete, "account", account_id=account_id
    )


@router.get("/workspaces/{slug}/accounts/{account_id}/personas", response=list[PersonaOut])
@paginate
def persona_list(request: HttpRequest, slug: str, account_id: ObjectId) -> Any:
    workspace, account = api_object(request, slug, selectors.account_get, account_id=account_id)
    return selectors.persona_list(workspace=workspace, user=request.user, account=account)


@router.post("/workspaces/{slug}/accounts/{account_id}/personas", response={201: PersonaOut})
def persona_create(
    request: HttpRequest, slug: str, account_id: ObjectId, payload: PersonaIn
) -> Status[Persona]:
    workspace, account = api_object(request, slug, selectors.account_get, account_id=account_id)
    persona = services.persona_create(
        workspace=workspace, actor=request.user, account=account, **payload.dict()
    )
    return Status(201, persona)


@router.patch("/workspaces/{slug}/personas/{persona_id}", response=PersonaOut)
def persona_patch(request: HttpRequest, slug: str, persona_id: ObjectId, payload: PersonaPatchIn) -> Persona:
    workspace, persona = api_object(request, slug, selectors.persona_get, persona_id=persona_id)
    fields = payload.dict(exclude_unset=True, exclude_none=True)
    return services.persona_update(workspace=workspace, actor=request.user, persona=persona, **fields)


@router.delete("/workspaces/{slug}/personas/{persona_id}", response={204: None})
def persona_delete(request: HttpRequest, slug: str, persona_id: ObjectId) -> Status[None]:
    return api_delete(
        request, slug, selectors.persona_get, services.persona_delete, "persona", persona_id=persona_id
    )
