from config.errors import InvalidInput, NotFound, Unprocessable


class NoLayoutDefined(Unprocessable):
    """The orientation / page size / envelope combination is not one of the supported formats.
    The message is the spec's own: "No layout defined for A4 Letter/Portrait/N/A"."""

    default_message = "No layout defined."

    def __init__(self, *, page_size: str, orientation: str, envelope: str):
        super().__init__(f"No layout defined for {page_size}/{orientation}/{envelope}")
        self.page_size = page_size
        self.orientation = orientation
        self.envelope = envelope


class TemplateNotFound(NotFound):
    default_errors = None

    def __init__(self, template_id=None):
        super().__init__(f"Template with id={template_id} not found.")
        self.template_id = template_id


class TemplateSettingsMismatch(Unprocessable):
    default_message = "Requested campaign settings do not match the template's settings."


class InvalidTemplateFilter(InvalidInput):
    """A list filter value that is not one of the supported values (the API lists them)."""

    default_message = "One or more filter values are invalid."
    default_errors = None

    def __init__(self, *, field: str, value: str, valid: list[str]):
        super().__init__()
        self.field, self.value, self.valid = field, value, valid
