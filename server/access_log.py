"""The access log, with join tokens taken out: a token in a log file must open nothing."""

from __future__ import annotations

import logging
import re
from collections.abc import MutableMapping
from typing import Any

from aiohttp.web_log import AccessLogger

_TOKEN = re.compile(r"(?i)([?&;]token=)[^&;\s\"]*")


def redact_tokens(text: str) -> str:
    """`text` with the value of every `token=` query parameter replaced."""
    return _TOKEN.sub(r"\1[redacted]", text)


class _Redacting(logging.LoggerAdapter):  # type: ignore[type-arg]
    """Passes access-log lines on with tokens redacted, in the message and its `extra` fields."""

    def process(
        self, msg: Any, kwargs: MutableMapping[str, Any]
    ) -> tuple[Any, MutableMapping[str, Any]]:
        extra = kwargs.get("extra")
        if isinstance(extra, dict):
            kwargs["extra"] = {
                key: redact_tokens(value) if isinstance(value, str) else value
                for key, value in extra.items()
            }
        return redact_tokens(str(msg)), kwargs


class RedactingAccessLogger(AccessLogger):
    """aiohttp's access log (same format) that never writes a join token."""

    def __init__(self, logger: logging.Logger, log_format: str = AccessLogger.LOG_FORMAT) -> None:
        super().__init__(_Redacting(logger), log_format)  # type: ignore[arg-type]
