"""Reads of the accounts app; import them from here."""
