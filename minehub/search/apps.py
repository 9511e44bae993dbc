from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _after_migrate(sender: AppConfig, **kwargs: Any) -> None:
    from minehub.accounts.roles import sync_app_permissions
    from minehub.search.thesaurus import load_seed

    load_seed()
    sync_app_permissions(sender, using=kwargs.get("using", "default"))


class SearchConfig(AppConfig):
    name = "minehub.search"
    label = "search"
    verbose_name = _("Search")

    def ready(self) -> None:
        from minehub.search import signals
        from minehub.search.registry import register_publishable_content

        register_publishable_content()
        signals.connect()
        # Like the taxonomy: after every migrate the seed thesaurus is in the database.
        post_migrate.connect(_after_migrate, sender=self, dispatch_uid="minehub.search.seed")
