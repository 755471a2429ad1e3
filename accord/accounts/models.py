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


class Throttle(models.Model):
    """A counter of recent sign-in or reset attempts for one key (an account and client, an address...).

    Rows are changed only by compare-and-set updates (see accounts/throttle.py), so concurrent
    requests cannot both take the last allowed attempt. Housekeeping deletes rows gone quiet.
    """

    key = models.CharField(max_length=200, unique=True)
    count = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(default=timezone.now)
    touched_at = models.DateTimeField(default=timezone.now)
    blocked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["started_at"])]

    def __str__(self) -> str:
        return f"{self.key}: {self.count}"


def hash_secret(raw: str) -> str:
    # Tokens are long random strings, so a fast digest is enough: there is nothing to brute-force.
    return hashlib.sha256(raw.encode()).hexdigest()


def new_secret() -> str:
    return secrets.token_urlsafe(32)


class Invitation(models.Model):
    """A single-use, expiring link that lets a Person join: by setting a first password, or by signing
    in with the one their account already has."""

    org = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE)
    person = models.ForeignKey("orgs.Person", on_delete=models.CASCADE, related_name="invitations")
    # The address the link was mailed to. The token proves it, and the link works only while the person
    # (and their user, if linked) still has it: whoever holds the link has shown they read that mailbox,
    # nothing more, so it must never act on an account at any other address.
    email = models.EmailField(validators=[single_line])
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


class TokenScope(models.TextChoices):
    READ = "read", "Read only"
    READ_WRITE = "read_write", "Read and write"


class ApiToken(models.Model):
    """A personal API token. Only its hash is stored; the raw value is shown once, at creation."""

    org = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE)
    person = models.ForeignKey("orgs.Person", on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, validators=[single_line])
    prefix = models.CharField(max_length=12)
    token_hash = models.CharField(max_length=64, unique=True)
    # A read-only token may only GET: a script that reads reports cannot change anything if it leaks.
    # Tokens made before scopes existed could already write, so that stays their default.
    scope = models.CharField(max_length=10, choices=TokenScope.choices, default=TokenScope.READ_WRITE)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["org", "person"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def is_read_only(self) -> bool:
        return self.scope == TokenScope.READ
