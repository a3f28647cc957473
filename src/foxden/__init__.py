"""foxden: a self-hostable device cloud for Sigfox-style LPWAN devices."""

__version__ = "0.1.0"
