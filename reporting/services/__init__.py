"""Writes of reporting: freezing checkpoints, FX rates, refreshing read models, nudges."""
