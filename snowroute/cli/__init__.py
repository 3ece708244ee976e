"""Command line interface: argument parsing, progress display and exit codes.

This package is the only place in snowroute that prints or configures logging (see
:mod:`snowroute.cli._main`); each command group lives in a module of its own.
"""

from snowroute.cli._main import Terminated as Terminated
from snowroute.cli._main import build_parser as build_parser
from snowroute.cli._main import main as main

__all__ = ["Terminated", "build_parser", "main"]
