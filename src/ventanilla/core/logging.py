"""JSON log lines carrying the request ID. Callers log IDs, never names or national numbers.

The formatter enforces what it can of that rule: only `extra=` keys on an allow-list of
non-personal fields reach the line, and an exception is written as its type and stack,
without its text (a database error quotes the values it refused, national IDs included).
"""

from __future__ import annotations

import json
import logging
import traceback
from datetime import UTC, datetime
from typing import Any, Final

from ventanilla.core.context import current_request_id

#: `extra=` keys that may reach a log line: codes, counts and identifiers, never a value a
#: person typed or a request object (whose text includes the URL, which may carry search
#: terms). Add a key here when a caller needs it, after checking what it can contain.
ALLOWED_EXTRA: Final[frozenset[str]] = frozenset(
    {
        "event",  # a fixed event name (sign-in)
        "user_id",  # an account's primary key
        "persons",  # a count (match keys rebuilt)
        "last_id",  # a person's register ID (match-key rebuild progress)
        "status_code",  # HTTP status (Django's request and server loggers)
        "error_type",  # an exception's class name
        "method",  # HTTP method
        "route",  # the URL pattern, never the path
    }
)


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        # Django logs an error response after the middleware has left the request's context,
        # but hands the request along.
        request = getattr(record, "request", None)
        record.request_id = current_request_id() or getattr(request, "request_id", "")
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "at": datetime.fromtimestamp(record.created, tz=UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", ""),
        }
        for key in sorted(ALLOWED_EXTRA & record.__dict__.keys()):
            entry[key] = record.__dict__[key]
        if record.exc_info and record.exc_info[0] is not None:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)

    def formatException(self, ei: Any) -> str:  # noqa: N802 - logging's name
        """The stack and the exception types of the chain, without their messages."""
        parts: list[str] = []
        exc: BaseException | None = ei[1]
        seen: set[int] = set()
        while exc is not None and id(exc) not in seen:
            seen.add(id(exc))
            stack = traceback.extract_tb(exc.__traceback__)
            kind = type(exc)
            parts.append(
                "Traceback (most recent call last):\n"
                + "".join(stack.format())
                + f"{kind.__module__}.{kind.__qualname__} (message withheld)\n"
            )
            exc = exc.__cause__ or (None if exc.__suppress_context__ else exc.__context__)
        return "\n".join(reversed(parts)).rstrip("\n")
