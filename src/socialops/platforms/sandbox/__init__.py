"""The local sandbox platform: Mastodon's API subset with fault injection (see server.py)."""

from .client import SandboxAdmin
from .server import Faults, SandboxServer

__all__ = ["Faults", "SandboxAdmin", "SandboxServer"]
