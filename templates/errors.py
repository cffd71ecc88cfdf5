from config.errors import Unprocessable


class NoLayoutDefined(Unprocessable):
    """The orientation / page size / envelope combination is not one of the supported formats.
    The message is the spec's own: "No layout defined for A4 Letter/Portrait/N/A"."""

    default_message = "No layout defined."

    def __init__(self, *, page_size: str, orientation: str, envelope: str):
        super().__init__(f"No layout defined for {page_size}/{orientation}/{envelope}")
        self.page_size = page_size
        self.orientation = orientation
        self.envelope = envelope
