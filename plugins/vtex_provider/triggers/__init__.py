"""Triggers of the VTEX provider (run by the triggerer)."""
