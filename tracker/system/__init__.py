"""The platform layer: desktop notifications and the per-user timer that runs ``tracker remind --notify``.

Only this package talks to the operating system's notification service and scheduler;
``desktop`` is the only module that imports the notification library, and only when a
notification is actually sent.
"""
