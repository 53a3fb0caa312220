"""Models of the accounts app arrive with the issue that builds it."""
