"""Fixtures of the core tests: the log lines the deployment's JSON handler writes."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest

from ventanilla.core.logging import JsonFormatter, RequestIdFilter


class LogLines:
    """What the configured JSON handler wrote while the test ran."""

    def __init__(self, stream: io.StringIO) -> None:
        self.stream = stream

    def all(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.stream.getvalue().splitlines() if line]

    def text(self) -> str:
        return self.stream.getvalue()


@pytest.fixture
def log_lines() -> Iterator[LogLines]:
    """Point the handler that settings.LOGGING configured at a buffer."""
    handlers = [
        h
        for h in logging.getLogger().handlers
        if isinstance(h, logging.StreamHandler) and isinstance(h.formatter, JsonFormatter)
    ]
    assert len(handlers) == 1, "settings.LOGGING configures one JSON handler"
    handler = handlers[0]
    assert any(isinstance(f, RequestIdFilter) for f in handler.filters)
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    try:
        yield LogLines(buffer)
    finally:
        if previous is not None:
            handler.setStream(previous)
