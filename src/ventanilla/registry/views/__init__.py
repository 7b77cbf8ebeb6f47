"""Back-office pages for registry officials.

Each view parses a form, calls one service (a change) or selector (a read that is
written to the access log), and renders. Domain errors become pages in the user's
language with the error's HTTP status: 403 for a refusal, 404 for nothing there,
409 when someone else acted first, 422 with the form and its field errors.
"""

from ventanilla.registry.views._common import error_response, official_page
from ventanilla.registry.views.dashboard import dashboard
from ventanilla.registry.views.duplicates import duplicates
from ventanilla.registry.views.people import person, search
from ventanilla.registry.views.records import (
    correct,
    declare,
    declare_choose,
    queue,
    record,
    record_action,
)

__all__ = [
    "correct",
    "dashboard",
    "declare",
    "declare_choose",
    "duplicates",
    "error_response",
    "official_page",
    "person",
    "queue",
    "record",
    "record_action",
    "search",
]
