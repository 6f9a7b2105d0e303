"""Stage 1: `.feature` text → a typed feature model (gherkin-official underneath)."""

from redphase.parse.model import FeatureFile
from redphase.parse.reader import read_feature

__all__ = ["FeatureFile", "read_feature"]
