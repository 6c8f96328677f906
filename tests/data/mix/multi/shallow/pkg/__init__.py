"""Geometry helpers."""
UNIT: int = 1
