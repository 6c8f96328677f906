"""Geometry helpers."""
UNIT = 1
