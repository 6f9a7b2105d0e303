"""Cookiecutter's post-generation step: the example's tests come from `redphase scaffold` itself."""

from pathlib import Path

from redphase.init import scaffold_example

scaffold_example(Path.cwd())
