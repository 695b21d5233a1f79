"""`python -m socialops.platforms.sandbox [options]`: run the sandbox platform without Django."""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import signal
import sys
from collections.abc import Sequence
from typing import Any

from .faults import Faults
from .server import SandboxServer


def add_arguments(parser: Any) -> None:
    """The command-line options (shared with `socialops sandbox`)."""
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8900, help="0 picks a free port (printed on start)")
    parser.add_argument("--db", default="", help="SQLite file of the platform's state")
    defaults = Faults()
    for field in dataclasses.fields(Faults):
        flag = "--" + field.name.replace("_", "-")
        default = getattr(defaults, field.name)
        parser.add_argument(flag, type=type(default), default=default, dest=field.name)


def faults_from(options: dict[str, Any]) -> Faults:
    values = {f.name: options[f.name] for f in dataclasses.fields(Faults) if options.get(f.name) is not None}
    return Faults(**values)


def run(*, host: str, port: int, db: str, faults: Faults, out: Any = sys.stdout) -> None:
    """Serve until SIGTERM / Ctrl-C; prints one line with the URL once listening."""
    server = SandboxServer(host=host, port=port, db_path=db or ":memory:", faults=faults)

    def _stop(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _stop)
    print(f"sandbox listening on {server.url} (db {db or ':memory:'})", file=out, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.platform.stopping.set()
        server.httpd.server_close()
        server.store.close()
        # Whoever read our output may have gone already.
        with contextlib.suppress(BrokenPipeError, ValueError):
            print("sandbox stopped", file=out, flush=True)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m socialops.platforms.sandbox", description=__doc__)
    add_arguments(parser)
    options = vars(parser.parse_args(argv))
    run(host=options["host"], port=options["port"], db=options["db"], faults=faults_from(options))


if __name__ == "__main__":
    main()
