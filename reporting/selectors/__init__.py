"""Reads of reporting: metrics computed in SQL from accounts, leads and MDF, and the read models."""
