"""Static discovery of the system under test: its entry points, components and callables."""
