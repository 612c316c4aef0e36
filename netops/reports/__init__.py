"""Availability reports: per site, district, site kind and agency over a month or any range.

``period`` turns ``--month``/``--from``/``--to`` into exact UTC bounds, ``availability_report``
computes the figures from outages and planned works, ``formats`` writes CSV and JSON, ``pdf`` the
A4 PDF (ReportLab), ``words`` the EN/ID labels.
"""
