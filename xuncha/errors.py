"""Errors a user can act on; the CLI prints them without a traceback."""


class XunchaError(Exception):
    """Base class: the message is the whole story for the user."""
