"""Portal pages of the MDF app, by subject."""
