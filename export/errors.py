"""The one exception type the CLI turns into a one-line message and a non-zero exit."""


class UserError(Exception):
    """Bad input a user can fix: shown as `charstream: error: <message>`, never as a traceback."""
