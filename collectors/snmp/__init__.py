"""SNMP collector: one pysnmp engine per process, numeric OIDs, readers driven by profiles."""

from collectors.snmp.poller import SnmpPoller

__all__ = ["SnmpPoller"]
