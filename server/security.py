"""Passwords, random tokens and HMAC-signed tokens (CSRF, room joins, TURN credentials)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass, field
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# argon2id with the library's defaults (RFC 9106 low-memory profile).
_hasher = PasswordHasher()

# Verifying against this keeps unknown-account logins as slow as wrong-password ones.
_DUMMY_HASH = _hasher.hash("tandem-timing-equaliser")


def hash_password(password: str) -> str:
    """An argon2id hash of `password`."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether `password` matches; takes the same time when there is no account."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def new_token() -> str:
    """A fresh unguessable token for cookies."""
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """What the database keeps of a cookie token: a leaked table logs nobody in."""
    return hashlib.sha256(token.encode()).hexdigest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign(secret: str, purpose: str, message: str) -> str:
    """An HMAC-SHA256 of `message`, keyed per purpose so tokens never cross uses."""
    key = hmac.new(secret.encode(), purpose.encode(), hashlib.sha256).digest()
    return _b64(hmac.new(key, message.encode(), hashlib.sha256).digest())


def csrf_token_for(secret: str, csrf_cookie: str) -> str:
    """The form token that matches a browser's CSRF cookie."""
    return sign(secret, "csrf", csrf_cookie)


def csrf_token_valid(secret: str, csrf_cookie: str | None, form_token: str | None) -> bool:
    """Whether a submitted form token belongs to this browser's CSRF cookie."""
    if not csrf_cookie or not form_token:
        return False
    return hmac.compare_digest(csrf_token_for(secret, csrf_cookie), form_token)


class InvalidJoinToken(ValueError):
    """A join token that is forged, malformed, expired or for another room."""


@dataclass(frozen=True)
class JoinToken:
    """Permission for one user to open one connection to one room until `expires_at` (Unix
    seconds); `issued_ms` lets a password change void it, `nonce` lets it be used only once."""

    user_id: int
    room_id: int
    expires_at: int
    issued_ms: int = field(default_factory=lambda: int(time.time() * 1000))
    nonce: str = field(default_factory=lambda: secrets.token_urlsafe(12))

    def encode(self, secret: str) -> str:
        """The token as a URL-safe string: payload and signature."""
        fields = [self.user_id, self.room_id, self.expires_at, self.issued_ms, self.nonce]
        payload = _b64(json.dumps(fields).encode())
        return f"{payload}.{sign(secret, 'join', payload)}"

    def is_issued_before(self, moment: datetime | None) -> bool:
        """Whether the token predates `moment` (the user's last password change)."""
        return moment is not None and self.issued_ms < moment.timestamp() * 1000

    @classmethod
    def decode(
        cls, secret: str, token: str, *, room_id: int, now: float | None = None
    ) -> JoinToken:
        """The token's contents, after checking signature, room and expiry."""
        payload, _, signature = token.partition(".")
        if not signature or not hmac.compare_digest(sign(secret, "join", payload), signature):
            raise InvalidJoinToken("the join token is not valid")
        try:
            user_id, token_room, expires_at, issued_ms, nonce = json.loads(_unb64(payload))
            parsed = cls(int(user_id), int(token_room), int(expires_at), int(issued_ms), str(nonce))
        except (ValueError, TypeError) as exc:
            raise InvalidJoinToken("the join token is malformed") from exc
        if parsed.room_id != room_id:
            raise InvalidJoinToken("the join token is for another room")
        if parsed.expires_at < (time.time() if now is None else now):
            raise InvalidJoinToken("the join token has expired")
        return parsed


class SpentJoinTokens:
    """Join tokens that have opened a connection already: each opens one, so a token that leaks
    (a proxy log, a shared screen) is worth nothing once used."""

    def __init__(self) -> None:
        self._spent: dict[str, int] = {}

    def spend(self, token: JoinToken, now: float | None = None) -> bool:
        """Use the token up; False when it was used before."""
        now = time.time() if now is None else now
        if len(self._spent) >= 1024:  # expired tokens are refused anyway: forget them
            self._spent = {n: exp for n, exp in self._spent.items() if exp >= now}
        if token.nonce in self._spent:
            return False
        self._spent[token.nonce] = token.expires_at
        return True


def turn_credentials(secret: str, user_id: int, ttl_seconds: int) -> tuple[str, str]:
    """Username and password for coturn's `use-auth-secret` (TURN REST) scheme."""
    username = f"{int(time.time()) + ttl_seconds}:{user_id}"
    digest = hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()
    return username, base64.b64encode(digest).decode()
