"""admin portal pages."""
