"""The demo workspace: its seed data as files, the seed, and the demo publish loop (a leaf: nothing imports it).

Where things are, in the order the seed uses them:

- data/*.toml      the demo's data (accounts, calendar, goals, content setup, media, items, history)
- specs.py         the workspace's constants and the data files read into frozen dataclasses
- dates.py         the history window, the latest campaign and a holiday, relative to today
- metrics.py       180 days of daily figures per account
- goals.py         goals with targets tuned to the forecast, and strategies
- history.py       the platforms' post exports that the seed imports
- media.py         product cards as PNG pictures and MP4 clips, drawn in memory
- content.py       themes, rules, media library, backlog, marketing calendar and the plan
- seed.py          demo_seed() and demo_delete(), what `socialops demo` runs
- management/commands/  seed_demo (`socialops demo`) and demo_publish_loop
"""
