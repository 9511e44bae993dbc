"""Users (email login), their profile and their membership of organisations."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from minehub.directory.models import Organisation

# Languages a member can say they speak: the hub's four plus the region's neighbours and
# the languages of the donor and research community.
SPOKEN_LANGUAGES = [
    *settings.LANGUAGES,
    ("kk", _("Kazakh")),
    ("uz", _("Uzbek")),
    ("tg", _("Tajik")),
    ("zh", _("Chinese")),
    ("de", _("German")),
    ("fr", _("French")),
    ("ja", _("Japanese")),
    ("ko", _("Korean")),
    ("tr", _("Turkish")),
]


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **fields: Any) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **fields: Any) -> User:
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create(email, password, **fields)

    def create_superuser(self, email: str, password: str | None = None, **fields: Any) -> User:
        fields.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(_("e-mail address"), unique=True)
    name = models.CharField(_("name"), max_length=150, blank=True)
    bio = models.TextField(
        _("about me"), blank=True, max_length=4000, help_text=_("Markdown is supported.")
    )
    languages = models.JSONField(_("languages spoken"), default=list, blank=True)
    listed_in_directory = models.BooleanField(
        _("show my profile publicly"),
        default=False,
        help_text=_("Visitors can see your name, organisation, languages and bio."),
    )
    expertise = models.ManyToManyField(
        "core.Topic",
        verbose_name=_("expertise"),
        blank=True,
        related_name="experts",
        help_text=_("Topics you can answer questions about."),
    )
    is_staff = models.BooleanField(_("staff status"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    is_demo = models.BooleanField(_("demo data"), default=False)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["email"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name

    def clean(self) -> None:
        super().clean()
        self.email = self.email.strip().lower()

    @property
    def display_name(self) -> str:
        return self.name or self.email.split("@")[0]

    def get_absolute_url(self) -> str:
        return reverse("accounts:person-detail", kwargs={"pk": self.pk})

    def spoken_language_names(self) -> list[str]:
        names = dict(SPOKEN_LANGUAGES)
        return [str(names[code]) for code in self.languages if code in names]


class MembershipRole(models.TextChoices):
    MEMBER = "member", _("Member")
    EDITOR = "editor", _("Editor")


class Membership(models.Model):
    """A user belongs to an organisation; editors publish on its behalf."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    role = models.CharField(
        _("role"), max_length=20, choices=MembershipRole.choices, default=MembershipRole.MEMBER
    )
    created_at = models.DateTimeField(_("since"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="unique_membership"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.organisation} ({self.get_role_display()})"
