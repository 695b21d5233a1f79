"""Lucky draws: eligibility rules, one entry a person, staff exclusion, commitments, a final freeze, the draw."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from socialops.engagement import draw_algorithm as algo
from socialops.engagement.models.draws import DrawEntrant, DrawStatus, DrawWinner
from socialops.engagement.selectors.draws import draw_verification
from socialops.engagement.services import draws as svc
from socialops.fans.models import InteractionKind, Segment, SegmentKind, SegmentMembership
from socialops.workspaces.models import AuditEntry
from socialops.workspaces.roles import Role
from tests.factories import make_account, make_draw, make_fan, make_interaction, make_person

from .draw_helpers import comment, keyword_draw

pytestmark = pytest.mark.django_db


def _entered(draw: Any) -> set[int]:
    return set(DrawEntrant.objects.filter(draw=draw).values_list("person_id", flat=True))


def test_the_seed_commitment_is_made_at_creation_and_never_logged(workspace: Any) -> None:
    draw = make_draw(workspace)
    assert draw.status == DrawStatus.OPEN and len(draw.secret) == 64
    assert draw.seed_hash == algo.seed_hash(draw.secret)
    assert draw.revealed_seed == "" and draw.entrants_hash == ""
    logged = str(list(AuditEntry.objects.values_list("before", "after")))
    assert draw.secret not in logged and draw.pseudonym_key not in logged


def test_keyword_rule_one_entry_per_person_and_staff_excluded(workspace: Any) -> None:
    draw, fans = keyword_draw(workspace, entrants=3, staff_identities="@staff_amy\nstaff-007")
    account = fans[0].account
    other = make_account(workspace, "acme_weibo", "weibo")
    draw = svc.draw_update(workspace=workspace, actor=None, draw=draw, accounts=[account, other])
    # The same person commenting twice, and again from another account: one entry.
    comment(fans[0], "抽奖抽奖")
    twin = make_fan(other, "weibo-0", person=fans[0].person)
    comment(twin, "再来抽奖")
    # Staff (by handle and by platform id), a comment without the keyword, one too early, a DM.
    comment(make_fan(account, "s1", handle="staff_amy"), "抽奖")
    comment(make_fan(other, "staff-007"), "抽奖")
    comment(make_fan(account, "quiet"), "好看")
    comment(make_fan(account, "early"), "抽奖", when=draw.created_at - dt.timedelta(minutes=5))
    make_interaction(make_fan(account, "dm"), InteractionKind.MESSAGE, text="抽奖")
    # A competitor's account does not count.
    rival = make_account(workspace, "rival", "weibo", competitor=True)
    comment(make_fan(rival, "r1"), "抽奖")

    frozen = svc.draw_freeze(workspace=workspace, actor=None, draw=draw)
    assert _entered(frozen) == {f.person_id for f in fans}
    assert frozen.entrant_count == 3


def test_follow_poll_and_segment_rules_combine(workspace: Any) -> None:
    account = make_account(workspace, "acme_mp", "mastodon")
    follower = make_fan(account, "f1", is_following=True)
    voter_follower = make_fan(account, "f2", is_following=True)
    voter = make_fan(account, "f3", is_following=False)
    for fan in (voter_follower, voter):
        make_interaction(fan, InteractionKind.VOTE, meta={"poll": 7, "answer": "A"})
    make_interaction(follower, InteractionKind.VOTE, meta={"poll": 8})
    draw = make_draw(workspace, require_follow=True, poll_id=7)
    assert svc.eligible_person_ids(draw) == [voter_follower.person_id]

    tier = Segment.objects.create(workspace=workspace, name="铁粉", kind=SegmentKind.TIER, rank=1)
    segment = Segment.objects.create(workspace=workspace, name="VIP", kind=SegmentKind.SEGMENT)
    follower.person.tier = tier
    follower.person.save()
    SegmentMembership.objects.create(
        workspace=workspace, segment=segment, person=voter.person, entered_at=timezone.now()
    )
    assert svc.eligible_person_ids(make_draw(workspace, segment=tier)) == [follower.person_id]
    assert svc.eligible_person_ids(make_draw(workspace, segment=segment)) == [voter.person_id]
    # A page voter without any platform identity counts for a poll rule.
    phone_person = make_person(workspace, "页面用户")
    make_interaction(voter, InteractionKind.VOTE, meta={"poll": "9"})
    from socialops.fans.models import Interaction

    Interaction.objects.create(
        workspace=workspace, person=phone_person, kind=InteractionKind.VOTE, occurred_at=timezone.now(),
        source="page", meta={"poll": 9},
    )  # fmt: skip
    assert set(svc.eligible_person_ids(make_draw(workspace, poll_id=9))) == {voter.person_id, phone_person.pk}


def test_rules_are_validated_by_field(workspace: Any, other_workspace: Any) -> None:
    with pytest.raises(ValidationError) as err:
        svc.draw_create(
            workspace=workspace, actor=None, name="", prize="x", winners_count=0,
            closes_at=timezone.now() - dt.timedelta(hours=1),
        )  # fmt: skip
    assert {"name", "winners_count", "closes_at", "require_follow"} <= set(err.value.message_dict)
    foreign = make_account(other_workspace, "theirs", "weibo")
    with pytest.raises(ValidationError) as err:
        make_draw(workspace, accounts=[foreign])
    assert "accounts" in err.value.message_dict


def test_freeze_is_final(workspace: Any) -> None:
    draw, fans = keyword_draw(workspace, entrants=4)
    frozen = svc.draw_freeze(workspace=workspace, actor=None, draw=draw)
    listed = list(DrawEntrant.objects.filter(draw=draw).values_list("entrant_id", "pseudonym"))
    assert frozen.entrants_hash == algo.list_hash(algo.Entrant(*row) for row in listed)
    # Later comments, a second freeze, edits and deletion change nothing.
    comment(make_fan(fans[0].account, "late"), "抽奖")
    with pytest.raises(ValidationError):
        svc.draw_freeze(workspace=workspace, actor=None, draw=frozen)
    with pytest.raises(ValidationError):
        svc.draw_update(workspace=workspace, actor=None, draw=frozen, keyword="别的")
    with pytest.raises(ValidationError):
        svc.draw_delete(workspace=workspace, actor=None, draw=frozen)
    assert svc.draws_close_due(now=timezone.now() + dt.timedelta(days=2)) == 0
    assert list(DrawEntrant.objects.filter(draw=draw).values_list("entrant_id", "pseudonym")) == listed
    # Entrant ids name nobody: the person's id is not in them.
    assert all(str(f.person_id) not in eid for f in fans for eid, _p in listed if len(str(f.person_id)) > 3)


def test_the_job_freezes_at_the_close_time(workspace: Any) -> None:
    draw, _fans = keyword_draw(workspace, entrants=2)
    assert svc.draws_close_due(now=timezone.now()) == 0
    assert svc.draws_close_due(now=draw.closes_at + dt.timedelta(seconds=1)) == 1
    draw.refresh_from_db()
    assert draw.status == DrawStatus.FROZEN and draw.entrant_count == 2
    action = AuditEntry.objects.filter(action="engagement.draw.freeze").get()
    assert action.after["entrants_hash"] == draw.entrants_hash


def test_draw_reveals_the_seed_and_picks_by_the_algorithm(workspace: Any) -> None:
    draw, _fans = keyword_draw(workspace, entrants=6, winners_count=2)
    with pytest.raises(ValidationError):
        svc.draw_run(workspace=workspace, actor=None, draw=draw)  # not frozen yet
    svc.draw_freeze(workspace=workspace, actor=None, draw=draw)
    drawn = svc.draw_run(workspace=workspace, actor=None, draw=draw)
    assert drawn.status == DrawStatus.DRAWN and drawn.revealed_seed == drawn.secret
    expected = algo.winners(drawn.secret, svc.entrants_of(drawn), 2)
    got = list(
        DrawWinner.objects.filter(draw=drawn).order_by("rank").values_list("entrant__entrant_id", flat=True)
    )
    assert got == [e.entrant_id for e in expected]
    assert draw_verification(drawn).ok
    with pytest.raises(ValidationError):
        svc.draw_run(workspace=workspace, actor=None, draw=drawn)
    assert AuditEntry.objects.get(action="engagement.draw.run").after["seed"] == drawn.secret


def test_a_tampered_stored_list_refuses_to_draw(workspace: Any) -> None:
    draw, _fans = keyword_draw(workspace, entrants=3)
    svc.draw_freeze(workspace=workspace, actor=None, draw=draw)
    DrawEntrant.objects.filter(draw=draw).order_by("pk").first().delete()  # type: ignore[union-attr]
    with pytest.raises(ValidationError, match="commitment"):
        svc.draw_run(workspace=workspace, actor=None, draw=draw)


def test_permissions(workspace: Any, member: Any) -> None:
    analyst = member(Role.ANALYST, username="ann")
    community = member(Role.COMMUNITY, username="cat")
    draw, _fans = keyword_draw(workspace, entrants=1)
    with pytest.raises(Exception, match="does not allow"):
        svc.draw_freeze(workspace=workspace, actor=analyst, draw=draw)
    # The community role runs draws but may not spend a coupon budget.
    from socialops.fans.services.coupons import campaign_create
    from tests.factories import make_account as acc

    coupons = campaign_create(
        workspace=workspace, actor=None, name="中奖券", account=acc(workspace, "shop", "weibo"), value="50",
        valid_from=timezone.now(), valid_until=timezone.now() + dt.timedelta(days=30), budget_count=10,
    )  # fmt: skip
    with pytest.raises(ValidationError) as err:
        svc.draw_update(workspace=workspace, actor=community, draw=draw, coupon_campaign=coupons)
    assert "coupon_campaign" in err.value.message_dict
    svc.draw_update(workspace=workspace, actor=community, draw=draw, prize="两副耳机")
