"""Portal pages of the leads app, by subject."""
