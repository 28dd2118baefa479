"""Errors the engine reports to users (one line, no traceback at the CLI)."""


class EngineError(Exception):
    """A model, parameter or input problem the user can fix."""
