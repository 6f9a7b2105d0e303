"""Verify: a red-phase verdict for every scenario (stands apart from the scaffold pipeline)."""
