from config.errors import Conflict, InvalidInput, NotFound, RuleViolation


class RecipientNotFound(NotFound):
    default_message = "Recipient not found."


class GroupNotFound(NotFound):
    default_message = "Group not found."


class GroupNotInCompany(InvalidInput):
    default_message = "Group not found in this company."


class GroupNameRequired(InvalidInput):
    default_message = "Group name is required."


class GroupNameTaken(Conflict):
    default_message = "A group with the same name already exists in this company."


class GroupNotDeletable(InvalidInput):
    default_message = "Group cannot be deleted in its current state."


class RecipientInActiveCampaign(RuleViolation):
    default_message = "This recipient is associated with an active campaign and cannot be deleted right now."


class RecipientIdsRequired(InvalidInput):
    default_message = "RecipientIds is required."


class InvalidMappings(InvalidInput):
    default_message = "The column mappings are invalid."


class ImportSourceRequired(RuleViolation):
    default_message = "You must provide either 'fileData' (Base64) or a 'fileUrl'."


class ImportGroupNameTaken(RuleViolation):
    default_message = "A group with this name already exists. Please choose a different name."


class BodyIdMismatch(RuleViolation):
    default_message = "Body Id does not match route Id."


class InvalidImportFile(InvalidInput):
    default_message = "The import file is not valid."
