import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# A web process: the settings give its database connections a statement timeout.
os.environ.setdefault("POSTROOM_PROCESS_ROLE", "web")
application = get_wsgi_application()
