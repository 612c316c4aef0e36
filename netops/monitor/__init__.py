"""The monitor: device and link states, events, outages with root cause, availability, retention.

Poll results become evidence (``states``), the topology decides what is a root cause and what
is merely unreachable behind it (``impact``), state changes become events (``events``) and root
causes become outages (``outages``); ``evaluate`` runs one such pass in one transaction and
``queries`` gives the web and the CLI read-only dataclasses.
"""
