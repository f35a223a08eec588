"""Queries over a GraphStore; each returns typed rows that carry their evidence."""
