"""SQLAlchemy models, repositories and read queries."""
