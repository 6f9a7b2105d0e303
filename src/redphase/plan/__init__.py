"""Stage 2: the integration harness description that rendering works from."""
