from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo and scale data: seed_demo, seed_scale and their generators. The one app that may import all
    the others (DESIGN §8); nothing imports it."""

    name = "demo"
    verbose_name = "演示数据"
