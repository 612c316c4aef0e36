"""Polling: what runs when, and how a poll reaches a device and comes back as a result.

Jobs and their cycles (``jobs``, ``scheduler``, ``cycle``), where poll tasks run (``executor``),
the pure poll task itself (``poll_task``, ``ssh_branch``, ``targets``), ICMP echo (``icmp``), the
trap receiver (``traps``), the crawl from seed addresses (``discovery``) and the service that runs
scheduler and traps together (``service``). Nothing here decides what is down: results go to
``netops.apply``.
"""
