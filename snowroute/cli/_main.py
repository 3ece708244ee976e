"""Command line interface: argument parsing, progress display and exit codes.

This package is the only place in snowroute that prints or configures logging. Each
command group lives in its own module exposing ``register(subparsers)``; the
registered handler receives the parsed arguments and returns an exit code.

Exit codes: 0 success, 1 a plan was produced but violates constraints (where the
command says so), 2 bad input (one-sentence message, no traceback), 130 interrupted
(Ctrl-C), 143 terminated (SIGTERM). An interrupted or terminated run leaves no
output behind: outputs are written to a temporary folder that is removed.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import time
from collections.abc import Sequence
from typing import Any, Protocol

import snowroute
from snowroute._errors import SnowrouteError
from snowroute.cli import (
    _actual,
    _bench,
    _demo,
    _exchange,
    _network,
    _patrol,
    _run,
    _scenario,
    _sweep,
)

__all__ = ["Terminated", "main"]


class _CommandModule(Protocol):
    def register(self, subparsers: Any) -> None: ...


#: Command modules, each with ``register(subparsers)``.
_COMMANDS: tuple[_CommandModule, ...] = (
    _network,
    _scenario,
    _run,
    _exchange,
    _patrol,
    _demo,
    _actual,
    _bench,
    _sweep,
)


class _ProgressFormatter(logging.Formatter):
    """Prefix log records with the seconds since the command started."""

    def __init__(self) -> None:
        super().__init__()
        self._start = time.perf_counter()

    def format(self, record: logging.LogRecord) -> str:
        elapsed = time.perf_counter() - self._start
        return f"[{elapsed:7.1f}s] {record.getMessage()}"


def _configure_logging(verbosity: int, *, quiet: bool) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_ProgressFormatter())
    root = logging.getLogger("snowroute")
    root.handlers[:] = [handler]
    root.propagate = False
    if quiet:
        root.setLevel(logging.WARNING)
    else:
        root.setLevel(logging.DEBUG if verbosity > 0 else logging.INFO)


def build_parser() -> argparse.ArgumentParser:
    """Build the ``snowroute`` argument parser with every command registered."""
    parser = argparse.ArgumentParser(
        prog="snowroute",
        description=(
            "Plow routes, exchange snow clearing (交換除雪) and road patrol plans "
            "for road networks shared between administrators."
        ),
    )
    parser.add_argument(
        "-v", "--verbose", action="count", default=0, help="more progress detail"
    )
    parser.add_argument(
        "-q", "--quiet", action="store_true", help="no progress messages"
    )
    parser.add_argument(
        "--version", action="version", version=f"snowroute {snowroute.__version__}"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in _COMMANDS:
        module.register(sub)
    return parser


class Terminated(KeyboardInterrupt):
    """Raised in the main process when it receives SIGTERM (cleans up like Ctrl-C)."""


def _terminate(signum: int, frame: object) -> None:
    raise Terminated


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``snowroute`` command line and return its exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    _configure_logging(args.verbose, quiet=args.quiet)
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        return _dispatch(args)
    finally:
        signal.signal(signal.SIGTERM, previous)


def _dispatch(args: argparse.Namespace) -> int:
    try:
        code: int = args.handler(args)
    except SnowrouteError as exc:
        print(f"snowroute: error: {exc}", file=sys.stderr)
        return 2
    except (FileNotFoundError, IsADirectoryError, PermissionError) as exc:
        name = exc.filename if exc.filename is not None else ""
        reason = exc.strerror or type(exc).__name__
        print(f"snowroute: error: cannot read `{name}`: {reason}.", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into `head` and the like
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except Terminated:
        print("snowroute: terminated.", file=sys.stderr)
        return 143
    except KeyboardInterrupt:
        print("snowroute: interrupted.", file=sys.stderr)
        return 130
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
