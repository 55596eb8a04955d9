from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo department, its two schools and everything in them (`manage.py seed_demo`).
    It sits on top of every app it seeds; no app imports it."""

    name = "demo"
    verbose_name = "Dữ liệu mẫu"
