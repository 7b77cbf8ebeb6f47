"""Ventanilla: an open-source digital government platform."""
