"""The citizen's front door and the officials' back office pages."""
