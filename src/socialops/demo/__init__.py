"""The demo workspace: its seed data as files, the seed, and the demo publish loop (a leaf: nothing imports it)."""
