from django.apps import AppConfig


class FilesConfig(AppConfig):
    name = "files"

    def ready(self):
        from accounts import provisioning
        from files.services import library_setup_company

        provisioning.register(library_setup_company)  # every new company gets it
