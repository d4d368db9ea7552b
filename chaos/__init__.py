"""Fault injection against the real processes: make chaos (full), make chaos-smoke (CI)."""
