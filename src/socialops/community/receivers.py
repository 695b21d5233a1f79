"""What the community app connects to lower apps' hooks.

Imported by ``CommunityConfig.ready()``; connecting the same function twice is a no-op.
"""

from __future__ import annotations
