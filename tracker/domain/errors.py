"""The one error type that carries a message fit to show a user."""

from __future__ import annotations


class TrackerError(Exception):
    """Bad input or a refused action; ``str(err)`` is shown to the user as it is.

    The command line exits with status 2 on it; the UI shows it as a notification.
    """

    exit_code = 2

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class NotFoundError(TrackerError):
    """A named thing (medication, symptom, entry) does not exist."""


class StorageError(TrackerError):
    """The database file cannot be opened or written; nothing was changed."""


class DatabaseTooNewError(StorageError):
    """The database was written by a newer version of the program."""


class DatabaseDamagedError(StorageError):
    """The file is not a SQLite database or fails its integrity check."""
