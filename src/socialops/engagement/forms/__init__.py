"""Forms of the inbox pages (the rules live in the services)."""
