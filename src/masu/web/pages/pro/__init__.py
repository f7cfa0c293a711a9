"""pro portal pages."""
