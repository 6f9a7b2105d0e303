"""What the project already has (read statically) and where each generated file belongs."""
