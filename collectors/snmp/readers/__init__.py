"""Readers: one module per poll kind, each turning walked columns into observation records."""
