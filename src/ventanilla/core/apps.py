from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "ventanilla.core"
    label = "core"
    verbose_name = _("Platform core")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from ventanilla.core.jurisdictions import forget_cached
        from ventanilla.core.models import Jurisdiction

        post_save.connect(forget_cached, sender=Jurisdiction, dispatch_uid="jurisdictions")
        post_delete.connect(forget_cached, sender=Jurisdiction, dispatch_uid="jurisdictions")
