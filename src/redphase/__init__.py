"""redphase: red-phase integration tests from Gherkin, with verdicts that say why each one is red."""

__version__ = "0.1.0"
