"""Property-based differential testing of the whole schema (see README.md here)."""
