"""Cascada: run and measure programs that engage men in preventing gender-based violence."""

__version__ = "0.1.0"
