"""HTML pages of the campaigns app, one module per idea."""
