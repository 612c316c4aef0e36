"""The netops service: configuration, secrets, poll tasks, the store, scheduler, monitor and CLI.

This is the one package allowed to wire all others together: it turns inventory rows into
collector targets, hands poll tasks to an executor, persists the typed results the collectors
return, asks ``topology`` why something is unreachable, and opens outages and notifications.
The web UI and the ``netops`` command line read what it stores.
"""

__version__ = "0.1.0"
