"""SQLite backend whose write transactions start with BEGIN IMMEDIATE (see base.py)."""
