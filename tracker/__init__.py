"""taper-tracker: a local-first tracker for antidepressant doses, tapers and discontinuation symptoms."""

__version__ = "0.1.0"
