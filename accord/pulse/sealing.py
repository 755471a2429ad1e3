"""Sealed storage for pulse data that would name someone if a copy of the database were read.

Everything sealed here is encrypted and authenticated (AES-256-GCM) under a key derived from
SECRET_KEY with its own salt, so a reader of the database files alone sees only opaque bytes of a
fixed or bucketed length. See the threat model at the top of models.py for what this defends and what
it does not. Nothing here is stored beside the database: lose SECRET_KEY and sealed pulse data is lost
with it, which is the point.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import struct
from functools import lru_cache
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

from .data import Cell

NONCE = 12
# Purposes: each has its own key.
POOL = "pool"
TALLY = "tally"
CELL = "cell"
# A pooled answer set is padded to this many bytes (or a multiple), so the sealed row's length says
# nothing about how many questions were answered or how long the comment is (COMMENT_MAX characters,
# JSON-escaped, fit well inside).
POOL_BLOCK = 16384
TALLY_MIN = 4096


@lru_cache(maxsize=8)
def _aead(secret: str, purpose: str) -> AESGCM:
    key = HKDF(algorithm=SHA256(), length=32, salt=b"accord.pulse.seal", info=purpose.encode()).derive(
        secret.encode()
    )
    return AESGCM(key)


def _pad(data: bytes, block: int) -> bytes:
    body = struct.pack(">I", len(data)) + data
    size = -(-len(body) // block) * block
    return body + b"\0" * (size - len(body))


def _bucket(length: int) -> int:
    # Powers of two: a tally's size tells the order of magnitude of the round, never a single answer.
    size = TALLY_MIN
    while size < length + 4:
        size *= 2
    return size


def seal(purpose: str, round_id: int, value: Any, *, block: int | None = None) -> bytes:
    """`value` as JSON, padded to `block` bytes (or a power-of-two bucket), encrypted and bound to its
    purpose and round so a sealed value cannot be moved to another column or round."""
    data = json.dumps(value, separators=(",", ":")).encode()
    padded = _pad(data, block) if block else _pad(data, _bucket(len(data)))
    nonce = os.urandom(NONCE)
    aad = f"{purpose}:{round_id}".encode()
    return nonce + _aead(settings.SECRET_KEY, purpose).encrypt(nonce, padded, aad)


def unseal(purpose: str, round_id: int, sealed: bytes | memoryview) -> Any:
    """The sealed value. Also under the keys of SECRET_KEY_FALLBACKS, so that rotating SECRET_KEY the way
    Django documents keeps earlier rounds readable; a value sealed under a key that is gone raises
    InvalidTag (and is lost: nothing else can open it)."""
    raw = bytes(sealed)
    aad = f"{purpose}:{round_id}".encode()
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    for i, secret in enumerate(secrets):
        try:
            padded = _aead(secret, purpose).decrypt(raw[:NONCE], raw[NONCE:], aad)
            break
        except InvalidTag:
            if i == len(secrets) - 1:
                raise
    (length,) = struct.unpack(">I", padded[:4])
    return json.loads(padded[4 : 4 + length])


def seal_cell(round_id: int, cell: Cell) -> bytes:
    # Every cell seals to the same length: team ids are padded into one block.
    return seal(CELL, round_id, list(cell), block=256)


def open_cell(round_id: int, sealed: bytes | memoryview) -> Cell:
    team, band, reg = unseal(CELL, round_id, sealed)
    return (team, band, reg)


def thread_key(person_id: int, round_id: int) -> str:
    """The opaque link between a comment and its author's "My feedback" page.

    A keyed hash of (person, round) with a key derived from SECRET_KEY (never a file beside the
    database): the comment row holds only the hash, so the database alone cannot tie it to anyone; the
    server recomputes it for the person who is signed in. Whoever holds both SECRET_KEY and the
    database could test every person: the price of letting authors read replies without carrying a
    secret of their own. The derivation is unchanged from before sealing, so existing threads still match.
    """
    key = hashlib.sha256(("accord.pulse.thread:" + settings.SECRET_KEY).encode()).digest()
    return hmac.new(key, f"{person_id}:{round_id}".encode(), hashlib.sha256).hexdigest()
