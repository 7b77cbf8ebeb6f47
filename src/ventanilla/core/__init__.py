"""Shared kernel: country profiles, jurisdictions, users and roles, audit and workflow mechanisms."""
