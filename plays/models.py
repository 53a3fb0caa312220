"""Models of the plays app arrive with the issue that builds it."""
