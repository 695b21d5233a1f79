"""Fans: people and their platform identities, interactions, orders, tiers, value and playbooks."""
