"""The release number, in one place every room may import without importing the others."""

__version__ = "0.1.0"
