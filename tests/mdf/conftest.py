"""Fixtures of the MDF tests."""

from tests.mdf.approved_lines import approved_line

__all__ = ["approved_line"]
