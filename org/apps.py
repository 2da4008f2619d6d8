from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "org"
    verbose_name = "单位与人员"

    def ready(self) -> None:
        from org import signals

        signals.connect_signals()
