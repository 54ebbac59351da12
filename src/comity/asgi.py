import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "comity.settings")
application = get_asgi_application()

from comity.core.checks import refuse_unsafe_start  # noqa: E402 - needs Django set up

refuse_unsafe_start()
