"""Forms of the leads app, by subject."""
