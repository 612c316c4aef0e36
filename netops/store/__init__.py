"""The store: poll results become current state and history, in one transaction per result.

``persist`` writes one ``PollResult`` and returns the typed change set; ``ports`` adopts polled
port names into declared ones; ``rates`` turns counters into trustworthy rates; ``link_sync``
turns LLDP/CDP neighbors into discovered links; ``config_versions`` keeps running configurations
as versions. Only kinds read to the end replace stored state.
"""
