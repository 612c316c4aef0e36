"""The simulated city network behind ``netops demo``: a Magelang-like fiber network on loopback.

``network`` generates the network as data (``places``, ``vendors``; ``topofile`` reads a testbed
topology), ``state`` keeps it moving, ``mib`` and ``agent`` serve it as SNMP agents without root
(``ber`` for v1/v2c, ``usm`` for v3), ``faults`` cuts fibers and fails switches, ``control`` is
the request queue ``netops demo fault`` talks to, ``process`` runs it all as one child process,
and ``testbed`` drives the same faults on the real namespace test bed. Like ``collectors``, it
imports nothing of the project: it stands for the world outside netops.
"""
