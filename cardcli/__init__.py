"""cardcli: an exam drill for deep-learning courses."""

__all__ = ["__version__"]

__version__ = "0.1.0"
