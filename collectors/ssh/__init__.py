"""The SSH collector: netmiko sessions, platform definitions as data, TextFSM parsing.

``SshPoller().poll(target, kinds)`` returns the same ``PollResult`` records as the SNMP
collector; ``poll_many`` runs many devices on a bounded thread pool.
"""

from collectors.ssh.platform import Platform, PlatformError, load_platform, load_platforms
from collectors.ssh.poller import SshPoller

__all__ = ["Platform", "PlatformError", "SshPoller", "load_platform", "load_platforms"]
