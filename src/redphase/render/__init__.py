"""Stage 3: harness description → module text (Jinja2, StrictUndefined), then black in-process."""
