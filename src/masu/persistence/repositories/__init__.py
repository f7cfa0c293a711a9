"""Repositories: reads and writes of one aggregate each, inside the caller's transaction."""
