"""Shared kernel: country profiles, jurisdictions, users and roles, audit, workflow."""
