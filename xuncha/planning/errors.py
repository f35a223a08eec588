"""The planning package's error (a light module: the conflict checks raise it
without importing numpy or the solver)."""

from __future__ import annotations

from ..errors import XunchaError


class PlanningError(XunchaError):
    """A planning request that cannot be solved as asked (the message says why)."""
