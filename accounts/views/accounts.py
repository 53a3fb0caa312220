"""Accounts pages."""

urlpatterns: list = []
