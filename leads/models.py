"""Models of the leads app arrive with the issue that builds it."""
