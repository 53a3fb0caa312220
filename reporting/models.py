"""Models of the reporting app arrive with the issue that builds it."""
