from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_taxonomy(sender: AppConfig, **kwargs: object) -> None:
    from minehub.core.taxonomy import sync_taxonomy

    sync_taxonomy()


class CoreConfig(AppConfig):
    name = "minehub.core"
    label = "core"
    verbose_name = _("Taxonomy")

    def ready(self) -> None:
        # Reference data follows the schema, as Django does for permissions and content
        # types: after every migrate (and after a test database flush) the starter terms exist.
        post_migrate.connect(_sync_taxonomy, sender=self, dispatch_uid="minehub.core.taxonomy")
