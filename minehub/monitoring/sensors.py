"""Sensor tokens: the secret a logger sends, of which only a hash is kept."""

from __future__ import annotations

import hashlib
import secrets

from minehub.monitoring.models import SensorToken

PREFIX = "mh_"


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def issue_secret(token: SensorToken) -> str:
    """Gives ``token`` a new secret (not saved yet) and returns it, for showing once."""
    secret = PREFIX + secrets.token_urlsafe(32)
    token.key_hash = secret_hash(secret)
    token.prefix = secret[: len(PREFIX) + 5]
    return secret


def token_for(secret: str) -> SensorToken | None:
    """The active token with this secret, if any."""
    return SensorToken.objects.filter(key_hash=secret_hash(secret), revoked_at__isnull=True).first()
