"""Comity: international cooperation in criminal matters under UNTOC."""

__version__ = "0.1.0"
