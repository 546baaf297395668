"""The protocol document lists every message type; TURN REST credentials have coturn's shape."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from pathlib import Path

from server.services.rooms import ice_servers_for
from server.settings import Settings
from signaling.messages import CLIENT_MESSAGES, SERVER_MESSAGES
from signaling.rooms import RoomRegistry

DOC = Path(__file__).resolve().parents[2] / "docs" / "signaling.md"


def test_signaling_doc_lists_every_message_type() -> None:
    doc = DOC.read_text()
    types = set(CLIENT_MESSAGES) | set(SERVER_MESSAGES) | set(RoomRegistry().message_types)
    missing = sorted(t for t in types if f"| `{t}`" not in doc and f"`{t}` /" not in doc)
    assert not missing, f"docs/signaling.md does not describe: {missing}"


def test_turn_servers_get_rest_credentials_and_stun_servers_do_not() -> None:
    settings = Settings(
        secret_key="k",
        turn_secret="coturn-secret",
        turn_ttl_seconds=600,
        ice_servers=[
            {"urls": "stun:stun.example.org:3478"},
            {"urls": ["turn:turn.example.org:3478?transport=udp", "turns:turn.example.org:443"]},
            {"urls": "turn:static.example.org", "username": "u", "credential": "fixed"},
        ],
    )
    stun, turn, static = ice_servers_for(settings, user_id=42)
    assert stun == {"urls": "stun:stun.example.org:3478"}
    expiry, user = turn["username"].split(":")
    assert user == "42" and 0 < int(expiry) - time.time() <= 600
    expected = hmac.new(b"coturn-secret", turn["username"].encode(), hashlib.sha1).digest()
    assert base64.b64decode(turn["credential"]) == expected
    assert turn["urls"] == settings.ice_servers[1]["urls"]
    assert static == settings.ice_servers[2]


def test_without_a_turn_secret_servers_pass_through() -> None:
    servers = [{"urls": "turn:turn.example.org", "username": "a", "credential": "b"}]
    assert ice_servers_for(Settings(secret_key="k", ice_servers=servers), 1) == servers
    assert ice_servers_for(Settings(secret_key="k"), 1) == []


def test_signaling_doc_answers_what_an_independent_client_asked() -> None:
    doc = DOC.read_text()
    notes = (DOC.parent / "notes-protocol.md").read_text()
    peer_left = next(line for line in doc.splitlines() if line.startswith("| `peer-left`"))
    assert "`removed`" in peer_left
    assert "bundlePolicy=RTCBundlePolicy.MAX_BUNDLE" in doc
    assert "the host then\ngets `lobby-list`" in doc
    assert "When a session ends" in doc
    assert "`sfu_only`" in doc and "1011" in doc and "`internal_error`" in doc
    assert '"name": "Mina Mentor"' in notes and "`unavailable`" in notes
    assert "catch-up burst" in doc.lower() and "catch-up burst" in notes.lower()
