"""customer portal pages."""
