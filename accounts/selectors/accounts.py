"""Reads of accounts, opportunities and account mapping."""
