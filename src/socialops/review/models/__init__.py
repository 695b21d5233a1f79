"""Models of the review app: checks (term lists, findings) and the workflow (revisions, approvals)."""

from .checks import *  # noqa: F403
from .workflow import *  # noqa: F403
