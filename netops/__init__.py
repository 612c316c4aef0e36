"""The netops service: settings and secrets, then one room per concern.

``polling`` (jobs, scheduler, cycles, executor, the poll task, targets, ICMP, traps, discovery)
reaches devices through ``collectors``; ``store`` turns their results into stored state;
``monitor`` drives the one assessment of ``topology`` and keeps events, outages, availability
and notifications; ``apply`` is the one path from a poll result to all of that. ``accounts``
holds web logins and API tokens so the command line and the demo need not import ``web``.
It never imports ``web`` or the command line (the composition root, ``cli``).
"""

__version__ = "0.1.0"
