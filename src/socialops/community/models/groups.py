"""Groups, their members and messages, sharing plans, moderation rules and actions."""
