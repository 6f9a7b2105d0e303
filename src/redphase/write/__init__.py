"""Stage 4: put rendered text on disk without ever rewriting what a person owns."""
