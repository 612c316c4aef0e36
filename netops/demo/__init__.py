"""The demo: a simulated Magelang-like municipal fiber network served on loopback.

``network`` generates the network as data, ``agent`` serves it as SNMP agents (no root),
``faults`` cuts fibers and fails switches, ``runner`` wires it to the real service.
"""
