"""The transition table of a vital record. Anything not listed here is refused with 409."""

from ventanilla.core.workflow import PREVIOUS, SAME, Transition, Workflow

DRAFT, DECLARED, VALIDATED, REGISTERED = "draft", "declared", "validated", "registered"
REJECTED, ARCHIVED, REVOKED = "rejected", "archived", "revoked"

IN_REVIEW = frozenset({DECLARED, VALIDATED})

RECORD_WORKFLOW = Workflow(
    name="vital_record",
    initial_action="create",
    initial_status=DRAFT,
    transitions=(
        Transition("update", frozenset({DRAFT}), SAME),
        Transition("declare", frozenset({DRAFT, REJECTED}), DECLARED),
        Transition("validate", frozenset({DECLARED}), VALIDATED),
        # A registrar may register straight from review, as registrars do in practice.
        Transition("register", IN_REVIEW, REGISTERED),
        Transition("reject", IN_REVIEW, REJECTED),
        Transition("correct", IN_REVIEW | {REGISTERED}, SAME),
        Transition("flag_duplicates", IN_REVIEW, SAME),
        Transition("mark_duplicate", IN_REVIEW, REJECTED),
        Transition("mark_not_duplicate", IN_REVIEW, SAME),
        Transition("archive", frozenset({DRAFT, REJECTED}), ARCHIVED),
        Transition("revoke", frozenset({REGISTERED}), REVOKED),
        Transition("reinstate", frozenset({ARCHIVED, REVOKED}), PREVIOUS),
    ),
)
