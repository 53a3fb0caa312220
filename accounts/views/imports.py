"""Imports pages."""

urlpatterns: list = []
