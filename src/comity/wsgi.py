import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "comity.settings")
application = get_wsgi_application()

from comity.core.checks import refuse_unsafe_start  # noqa: E402 - needs Django set up

refuse_unsafe_start()
