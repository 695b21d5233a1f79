"""People who act on our public pages: found by phone, their actions stored once per source row."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from socialops.fans.models import Interaction, InteractionKind, InteractionSource, Person
from socialops.fans.privacy import contact_decrypt
from socialops.fans.services.people import person_for_phone, person_interaction_record
from tests import factories

pytestmark = pytest.mark.django_db


def test_the_same_number_written_two_ways_is_one_person(workspace: Any) -> None:
    first, created = person_for_phone(workspace=workspace, phone="+86 138-1234-5678", display_name="小李")
    again, created_again = person_for_phone(workspace=workspace, phone="13812345678")
    assert created and not created_again
    assert first.pk == again.pk
    assert contact_decrypt(first.contact_encrypted) == {"name": "小李", "phone": "13812345678"}
    assert "13812345678" not in first.phone_hash


def test_a_number_that_is_no_phone_is_refused_and_stores_nothing(workspace: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        person_for_phone(workspace=workspace, phone="12345")
    assert "phone" in caught.value.message_dict
    assert not Person.objects.filter(workspace=workspace).exists()


def test_a_public_page_action_is_stored_once_and_moves_the_persons_activity(workspace: Any) -> None:
    person = factories.make_person(workspace)
    when = timezone.now() - dt.timedelta(hours=1)
    kwargs: dict[str, Any] = {
        "workspace": workspace,
        "person": person,
        "kind": InteractionKind.REGISTRATION,
        "occurred_at": when,
        "source": InteractionSource.PAGE,
        "external_id": "registration:7",
        "meta": {"event": 7},
    }
    row, created = person_interaction_record(**kwargs)
    same, created_again = person_interaction_record(**kwargs)
    assert created and not created_again and row.pk == same.pk
    assert Interaction.objects.filter(person=person).count() == 1
    person.refresh_from_db()
    assert person.last_active_at == when


def test_another_workspaces_person_is_refused(workspace: Any, other_workspace: Any) -> None:
    stranger = factories.make_person(other_workspace)
    with pytest.raises(Exception):  # noqa: B017 - the workspace guard's 404
        person_interaction_record(
            workspace=workspace,
            person=stranger,
            kind=InteractionKind.VOTE,
            occurred_at=timezone.now(),
            source=InteractionSource.PAGE,
        )
    assert not Interaction.objects.exists()
