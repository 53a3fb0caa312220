"""Plays pages, mounted under /t/<tenant_slug>/."""

from django.urls import path  # noqa: F401

app_name = "plays"

urlpatterns: list = []
