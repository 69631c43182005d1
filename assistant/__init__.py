"""Local medical dictation and records assistant."""

__version__ = "0.1.0"
