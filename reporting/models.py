"""Measurement (DOMAIN.md §6): snapshots and read models; nothing below writes to them."""
