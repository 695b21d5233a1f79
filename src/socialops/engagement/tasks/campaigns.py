"""Huey jobs of the engagement app: campaigns (the topics' public hashtag timelines).

Fetching is idempotent: posts are stored once per platform post id, and the cursor only moves
forward, so a job run twice (or overlapping) stores nothing twice.
"""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from socialops.platforms.connectors.base import ConnectorError

from ..models.campaigns import Topic
from ..services.campaigns import topic_public_fetch

log = logging.getLogger(__name__)


def topics_fetch() -> int:
    """Read every topic's Mastodon hashtag timeline once; one topic's failure does not stop the others."""
    stored = 0
    for topic in Topic.objects.filter(tags__has_key="mastodon").order_by("pk"):
        try:
            created, _updated = topic_public_fetch(topic=topic)
        except ConnectorError as exc:
            log.warning("topic %s: the hashtag timeline could not be read: %s", topic.pk, exc)
            continue
        stored += created
    return stored


@db_periodic_task(crontab(minute="17"))
def fetch_topic_timelines() -> int:
    """Every hour: the public posts carrying each topic's Mastodon tag."""
    return topics_fetch()
