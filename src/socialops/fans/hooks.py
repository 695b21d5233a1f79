"""Extension points of the fans app for higher apps (see core.hooks)."""

from socialops.core.hooks import Hook

interaction_recorded = Hook(
    "interaction_recorded",
    """Called with ``interaction=`` inside the transaction that stored a new fans.Interaction
    (a comment, message, mention, follow …), once per platform message. The inbox files it in a
    thread. Receivers must not raise: a failure is theirs to log and catch up on.""",
)
