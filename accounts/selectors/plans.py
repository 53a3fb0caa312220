"""Reads of plans: the plan page and partner ranking."""
