from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExchangeConfig(AppConfig):
    name = "minehub.exchange"
    label = "exchange"
    verbose_name = _("Knowledge exchange")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from minehub.exchange import following, moderation, posting

        posting.connect()
        following.connect()
        moderation.connect()
