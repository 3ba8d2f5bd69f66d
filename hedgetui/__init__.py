"""hedgetui: a terminal trading workstation for many exchange accounts."""

__version__ = "0.1.0"
