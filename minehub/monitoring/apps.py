from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _after_migrate(sender: AppConfig, **kwargs: Any) -> None:
    from minehub.accounts.roles import sync_app_permissions
    from minehub.monitoring.series_store import unstored_stations
    from minehub.monitoring.standards import load_shipped_standards
    from minehub.monitoring.tasks import warm_station_pages

    load_shipped_standards()
    sync_app_permissions(sender, using=kwargs.get("using", "default"))
    # After an upgrade or a restore without them: the worker stores the series again.
    if unstored := unstored_stations():
        warm_station_pages.enqueue(unstored)


class MonitoringConfig(AppConfig):
    name = "minehub.monitoring"
    label = "monitoring"
    verbose_name = _("Environmental monitoring")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Like the taxonomy: after every migrate (and test database flush) the shipped,
        # citable standards exist unless a data steward has since taken them over.
        post_migrate.connect(
            _after_migrate, sender=self, dispatch_uid="minehub.monitoring.standards"
        )
        from minehub.exchange import kinds
        from minehub.monitoring import alerts

        kinds.register(alerts.KIND, alerts.describe, alerts.subject)
