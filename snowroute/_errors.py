"""Exception and warning classes raised by snowroute.

Every error subclasses :class:`SnowrouteError` and a builtin, so generic handlers
(``except ValueError``) keep working. The command line maps every
:class:`SnowrouteError` to a one-sentence message and exit code 2.
"""

from __future__ import annotations

__all__ = [
    "ClusterError",
    "InfeasibleError",
    "InputFileError",
    "NetworkValidationError",
    "OutputError",
    "ProblemError",
    "ScenarioError",
    "SnowrouteError",
    "TaggingError",
]


class SnowrouteError(Exception):
    """Base class for snowroute errors."""


class InputFileError(SnowrouteError, ValueError):
    """An input file is missing, unreadable, truncated or of the wrong kind."""


class NetworkValidationError(SnowrouteError, ValueError):
    """A network graph violates the attribute schema."""


class TaggingError(SnowrouteError, ValueError):
    """Administrator rules, boundary layers or override tables are inconsistent."""


class ScenarioError(SnowrouteError, ValueError):
    """A scenario file or object is inconsistent."""


class ProblemError(SnowrouteError, ValueError):
    """An arc-routing problem is malformed (bad indices, negative costs, ...)."""


class InfeasibleError(SnowrouteError):
    """No plan can satisfy the hard constraints, provably and up front.

    For example a required road that no vehicle can reach from its depot.
    """


class OutputError(SnowrouteError, ValueError):
    """Results cannot be written as asked (a plan that does not match the network)."""


class ClusterError(SnowrouteError, ConnectionError):
    """The Dask scheduler cannot be reached, or a task kept losing its workers."""
