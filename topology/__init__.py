"""topology: the fiber network as a graph, and the one assessment of what is down and why.

``snapshot`` reads records, ``names``/``identify`` resolve LLDP/CDP neighbors to devices and
ports, ``graph`` merges declared and discovered links into a NetworkX MultiGraph. The one
assessment: ``evidence`` (verdicts in) and ``link_rule`` (the one link rule) feed
``assessment.Assessor``, which numbers the graph once (``numbering``), runs the integer passes
(``traversal``, ``passes``) and finds ``root_causes`` and ``site_states``; ``assessed`` holds the
answer, with ``fragility`` (single points of failure, disjoint paths) and ``whatif`` on demand.
``wording`` says it in English and Bahasa Indonesia; ``audit`` compares cabling;
``export``/``layout`` feed maps and files. Pure: imports only ``inventory``.
"""
