"""The local sandbox platform: Mastodon's API subset with fault injection (see server.py)."""

from .client import SandboxAdmin
from .faults import Faults
from .server import SandboxServer

__all__ = ["Faults", "SandboxAdmin", "SandboxServer"]
