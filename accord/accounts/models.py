"""Sign-in identities. A User is a login; what they are inside an organisation is a Person (orgs app)."""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone

from accord.lib.text import single_line


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: object) -> User:
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password) if password else user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> User:
        return self.create_user(email, password, is_staff=True, is_superuser=True, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(unique=True, validators=[single_line])
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    objects = UserManager()

    def __str__(self) -> str:
        return self.email


class LoginFailure(models.Model):
    """One failed sign-in. Kept only for the throttle window; housekeeping deletes old rows."""

    email = models.CharField(max_length=254, db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True, db_index=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return f"{self.email} at {self.at:%Y-%m-%d %H:%M}"


def hash_secret(raw: str) -> str:
    # Tokens are long random strings, so a fast digest is enough: there is nothing to brute-force.
    return hashlib.sha256(raw.encode()).hexdigest()


def new_secret() -> str:
    return secrets.token_urlsafe(32)


class Invitation(models.Model):
    """A single-use, expiring link that lets a Person set a password and sign in."""

    org = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE)
    person = models.ForeignKey("orgs.Person", on_delete=models.CASCADE, related_name="invitations")
    # The link carries this nonce signed with SECRET_KEY, so the worker can rebuild the link from the
    # invitation id alone and a copy of the database is not enough to forge one.
    nonce = models.CharField(max_length=64, default=new_secret)
    invited_by = models.ForeignKey("orgs.Person", on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["org", "expires_at"])]

    def __str__(self) -> str:
        return f"Invitation for person {self.person_id}"

    def is_usable(self) -> bool:
        return self.used_at is None and self.expires_at > timezone.now()


class ApiToken(models.Model):
    """A personal API token. Only its hash is stored; the raw value is shown once, at creation."""

    org = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE)
    person = models.ForeignKey("orgs.Person", on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, validators=[single_line])
    prefix = models.CharField(max_length=12)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["org", "person"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
