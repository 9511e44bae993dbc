from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "minehub.monitoring"
    label = "monitoring"
    verbose_name = _("Environmental monitoring")
    default_auto_field = "django.db.models.BigAutoField"
