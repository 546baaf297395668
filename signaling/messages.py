"""The room wire format: typed, validated on parse, serialised in one place (docs/signaling.md)."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

# Messages above this get an `error` reply; aiohttp closes the socket above HARD_MAX_BYTES.
# Room for a live-notes update: 64 KiB of CRDT update in base64 is 87,400 characters.
MAX_MESSAGE_BYTES = 96 * 1024
HARD_MAX_BYTES = 256 * 1024
MAX_CHAT_CHARS = 1000

M = TypeVar("M", bound=BaseModel)

PeerId = Annotated[str, StringConstraints(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_-]+$")]
Sdp = Annotated[str, StringConstraints(max_length=60_000)]


class ProtocolError(Exception):
    """A message the server refuses; answered with an `error` and the connection stays up."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class ClientMessage(BaseModel):
    """Base of every client-to-server message: unknown fields are an error."""

    model_config = ConfigDict(extra="forbid", frozen=True)


# --- client to server -------------------------------------------------------------------------


class MediaState(ClientMessage):
    """What a peer is sending: the UI shows a muted icon or a placeholder from this."""

    mic: bool = False
    camera: bool = False
    screen: bool = False


class Join(ClientMessage):
    """The handshake: the first message on every connection."""

    type: Literal["join"]
    media: MediaState = MediaState()


class Offer(ClientMessage):
    type: Literal["offer"]
    to: PeerId
    sdp: Sdp


class Answer(ClientMessage):
    type: Literal["answer"]
    to: PeerId
    sdp: Sdp


class IceCandidate(ClientMessage):
    """RTCIceCandidateInit as the browser gives it."""

    candidate: Annotated[str, StringConstraints(max_length=1024)]
    sdpMid: Annotated[str, StringConstraints(max_length=64)] | None = None  # noqa: N815
    sdpMLineIndex: Annotated[int, Field(ge=0, le=255)] | None = None  # noqa: N815
    usernameFragment: Annotated[str, StringConstraints(max_length=256)] | None = None  # noqa: N815


class Candidate(ClientMessage):
    """A trickled ICE candidate; null marks the end of candidates."""

    type: Literal["candidate"]
    to: PeerId
    candidate: IceCandidate | None


class Media(ClientMessage):
    type: Literal["media"]
    mic: bool
    camera: bool
    screen: bool


class Chat(ClientMessage):
    type: Literal["chat"]
    text: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_CHAT_CHARS)
    ]


class Ping(ClientMessage):
    type: Literal["ping"]
    id: Annotated[int, Field(ge=0, le=2**53)] | None = None


class Pong(ClientMessage):
    type: Literal["pong"]
    id: Annotated[int, Field(ge=0, le=2**53)] | None = None


class Leave(ClientMessage):
    type: Literal["leave"]


CLIENT_MESSAGES: dict[str, type[ClientMessage]] = {
    "join": Join,
    "offer": Offer,
    "answer": Answer,
    "candidate": Candidate,
    "media": Media,
    "chat": Chat,
    "ping": Ping,
    "pong": Pong,
    "leave": Leave,
}

# Server-to-client types; their shapes are built by the functions below.
SERVER_MESSAGES = (
    "welcome",
    "peer-joined",
    "peer-left",
    "offer",
    "answer",
    "candidate",
    "media",
    "chat",
    "ping",
    "pong",
    "replaced",
    "error",
)


def parse_envelope(raw: str | bytes) -> tuple[str, dict[str, Any]]:
    """The message type and object of one frame, before its type-specific validation."""
    if len(raw) > MAX_MESSAGE_BYTES:
        raise ProtocolError("too_large", f"Messages are limited to {MAX_MESSAGE_BYTES} bytes.")
    if isinstance(raw, bytes):
        raise ProtocolError("binary_unsupported", "Send JSON text frames.")
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):  # also integers past Python's 4,300-digit limit
        raise ProtocolError("invalid_json", "The message is not valid JSON.") from None
    if not isinstance(data, dict):
        raise ProtocolError("invalid_message", "A message is a JSON object.")
    kind = data.get("type")
    if not isinstance(kind, str):
        raise ProtocolError("invalid_message", 'A message needs a string "type".')
    return kind, data


def validate_as(model: type[M], data: dict[str, Any]) -> M:
    """`data` validated into `model`, or a ProtocolError naming the first bad field."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"]) or "message"
        raise ProtocolError("invalid_message", f"{where}: {err['msg']}") from None


def encode(message: dict[str, Any]) -> str:
    """One server message as a text frame (always valid UTF-8, even when a client sent lone
    surrogates that are echoed back, e.g. in an error's `for`)."""
    frame = json.dumps(message, separators=(",", ":"), ensure_ascii=False)
    if frame.isascii():
        return frame
    try:
        frame.encode()
    except UnicodeEncodeError:
        return json.dumps(message, separators=(",", ":"))  # \uXXXX escapes are valid JSON
    return frame


def error(code: str, message: str, **extra: Any) -> dict[str, Any]:
    """An `error` message."""
    return {"type": "error", "code": code, "message": message, **extra}
