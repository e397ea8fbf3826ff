"""Principles, items and survey templates (data, not code)."""
