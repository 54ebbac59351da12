from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "comity.exchange"
    label = "exchange"
    verbose_name = "Comity exchange between States"
