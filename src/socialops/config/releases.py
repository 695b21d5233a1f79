"""The migration state each release shipped with: per app, its last migration.

The upgrade test (tests/upgrade/) migrates a database back to a release's state, writes rows
with that release's models, migrates forward to the current code and checks the rows. Add a
release here when it is cut (the leaf migration of every app at the release commit).
"""

from __future__ import annotations

#: release → {app label: name of its last migration in that release}
RELEASES: dict[str, dict[str, str]] = {
    # 0.1.0: main at 344a38f, before the operations stop (CHANGELOG.md).
    "0.1.0": {
        "workspaces": "0001_initial",
        "accounts": "0001_initial",
        "goals": "0001_initial",
        "content": "0002_theme_restrict",
        "analytics": "0002_initial",
        "review": "0002_chain_distinct_reviewers",
        "platforms": "0003_wechat_weibo_douyin_push",
        "publishing": "0002_pending_ref",
        "fans": "0001_initial",
        "engagement": "0003_campaigns_polls_draws",
        "community": "0001_initial",
        "insights": "0001_recommendations",
    },
}
