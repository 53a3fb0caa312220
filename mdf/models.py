"""Models of the mdf app arrive with the issue that builds it."""
