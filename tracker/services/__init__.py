"""The one read/write API, used alike by the UI, the command line and the exports.

Plain functions with keyword-only arguments and the session passed in. Bad
input raises ``tracker.domain.errors.TrackerError`` with a message fit to show.
"""
