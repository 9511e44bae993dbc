from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_role_groups(sender: AppConfig, **kwargs: object) -> None:
    from minehub.accounts.roles import sync_role_groups

    sync_role_groups()


class AccountsConfig(AppConfig):
    name = "minehub.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        # Like Django's own permissions, the role groups follow every migrate.
        post_migrate.connect(_sync_role_groups, sender=self, dispatch_uid="minehub.accounts.roles")
