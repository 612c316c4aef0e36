"""topology: the fiber network as a graph, built from inventory records only.

``snapshot`` reads records, ``names``/``identify`` resolve LLDP/CDP neighbors to devices and
ports, ``graph`` merges declared and discovered links into a NetworkX MultiGraph with link
status, ``analysis``/``engine``/``fragility`` answer who is cut off, why and what is fragile,
``impact`` does what-ifs, ``audit`` compares cabling, ``export``/``layout`` feed maps and files,
``cause`` words it all in English and Bahasa Indonesia.
"""
