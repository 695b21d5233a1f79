"""The `socialops` command: a thin wrapper over Django's management commands.

socialops --version | serve | worker | migrate | demo | createuser | token create USER |
          accounts --workspace W [--json] | import metrics FILE --account A |
          import orders FILE --workspace W --mapping NAME | <any manage.py command>
"""

from __future__ import annotations

import os
import sys

# Friendly names that differ from the management command behind them.
ALIASES = {
    "worker": "run_huey",
    "import": "import_data",
    "demo": "seed_demo",
    "rotate-credentials-key": "rotate_credentials_key",
}


def version() -> str:
    """The installed socialops version, from the package metadata (pyproject.toml's version)."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as package_version

    try:
        return package_version("socialops")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown"


def main(argv: list[str] | None = None) -> None:
    """Entry point of the console script."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in ("--version", "version"):
        # Ours, not Django's (manage.py --version prints Django's); no settings are loaded.
        sys.stdout.write(f"socialops {version()}\n")
        return
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "socialops.config.settings")
    if args and args[0] in ALIASES:
        args[0] = ALIASES[args[0]]
    from django.core.management import execute_from_command_line

    execute_from_command_line(["socialops", *args])


if __name__ == "__main__":
    main()
