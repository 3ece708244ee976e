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
import io
import logging
import os
import shutil
import signal
import sys
import time
from collections.abc import Sequence
from typing import Any, Protocol, TextIO

from tqdm import tqdm

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


class _StatusLine(logging.Handler):
    """Progress on a terminal: one tqdm status line redrawn for each step.

    Shows the elapsed time and the latest progress message; warnings are written
    above it. Text printed to ``stdout`` meanwhile clears the line first, so results
    never share a line with it. :meth:`close` removes the line.
    """

    def __init__(self, stream: TextIO) -> None:
        super().__init__(logging.INFO)
        self._stream = stream
        self._bar = tqdm(
            total=None,
            file=stream,
            bar_format="[{elapsed}] {desc}",
            leave=False,
            # a terminal that reports no width (a bare pty) gets 100 columns
            ncols=shutil.get_terminal_size((100, 24)).columns,
            mininterval=0.2,
        )

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if record.levelno >= logging.WARNING:
            self._bar.write(message, file=self._stream)
        else:
            self._bar.set_description_str(message.splitlines()[0])

    def clear(self) -> None:
        """Remove the status line from the screen until the next step."""
        self._bar.clear()

    def close(self) -> None:
        self._bar.close()
        super().close()


class _ClearingStdout(io.TextIOBase):
    """``sys.stdout`` that clears the status line before it writes."""

    def __init__(self, stream: TextIO, status: _StatusLine) -> None:
        self._stream = stream
        self._status = status

    def write(self, text: str) -> int:
        self._status.clear()
        written = self._stream.write(text)
        self._stream.flush()
        return written

    def flush(self) -> None:
        self._stream.flush()

    def fileno(self) -> int:
        return self._stream.fileno()

    def isatty(self) -> bool:
        return self._stream.isatty()


def _configure_logging(
    verbosity: int, *, quiet: bool, stream: TextIO | None = None
) -> _StatusLine | None:
    """Route the package's log records: details, a status line or warnings only.

    ``-v``: every record with its elapsed seconds, one line each (debug level
    included). ``-q``: warnings and errors only. Otherwise progress messages redraw
    one status line when ``stream`` (stderr) is a terminal, and only warnings are
    printed when it is not (a log file, a test). Returns the status line, if any.
    """
    stream = stream if stream is not None else sys.stderr
    root = logging.getLogger("snowroute")
    root.propagate = False
    status = None
    if verbosity > 0 and not quiet:
        handler: logging.Handler = logging.StreamHandler(stream)
        handler.setFormatter(_ProgressFormatter())
        root.setLevel(logging.DEBUG)
    elif not quiet and stream.isatty():
        handler = status = _StatusLine(stream)
        root.setLevel(logging.INFO)
    else:
        handler = logging.StreamHandler(stream)
        root.setLevel(logging.WARNING)
    root.handlers[:] = [handler]
    return status


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
        "-v",
        "--verbose",
        action="count",
        default=0,
        help="every step and the solver's details, one line each, and the full "
        "tables (network report, ledger, patrol days)",
    )
    parser.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="no progress display, warnings and results only (for scripts)",
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
    status = _configure_logging(args.verbose, quiet=args.quiet)
    previous = signal.signal(signal.SIGTERM, _terminate)
    stdout = sys.stdout
    if status is not None:
        sys.stdout = _ClearingStdout(stdout, status)
    try:
        return _dispatch(args)
    finally:
        signal.signal(signal.SIGTERM, previous)
        if status is not None:
            sys.stdout = stdout
            status.close()
            logging.getLogger("snowroute").removeHandler(status)


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
