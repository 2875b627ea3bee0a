"""Convene: persistent rooms and threads for teams that span organisations."""

__version__ = "0.1.0"
