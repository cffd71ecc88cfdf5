"""What recipients services refuse: each error carries a code of RecipientErrorCode; the API
surfaces word it (config/errors_text.py for v1 and the admin)."""

from enum import StrEnum

from config.errors import Conflict, InvalidInput, NotFound, RuleViolation


class RecipientErrorCode(StrEnum):
    RECIPIENT_NOT_FOUND = "recipient_not_found"
    GROUP_NOT_FOUND = "group_not_found"
    IMPORT_JOB_NOT_FOUND = "import_job_not_found"
    GROUP_NOT_IN_COMPANY = "group_not_in_company"
    GROUP_NAME_REQUIRED = "group_name_required"
    GROUP_NAME_TAKEN = "group_name_taken"
    GROUP_NOT_DELETABLE = "group_not_deletable"
    RECIPIENT_IN_ACTIVE_CAMPAIGN = "recipient_in_active_campaign"
    RECIPIENT_IDS_REQUIRED = "recipient_ids_required"
    # The column mappings of an import (params: index, fields).
    MAPPINGS_INVALID = "mappings_invalid"
    MAPPINGS_REQUIRED = "mappings_required"
    MAPPING_NOT_AN_OBJECT = "mapping_not_an_object"
    MAPPING_SOURCE_HEADER_REQUIRED = "mapping_source_header_required"
    MAPPING_TYPE_INVALID = "mapping_type_invalid"
    MAPPING_TARGET_INVALID = "mapping_target_invalid"
    MAPPINGS_MISS_REQUIRED_FIELDS = "mappings_miss_required_fields"
    IMPORT_SOURCE_REQUIRED = "import_source_required"
    IMPORT_GROUP_NAME_TAKEN = "import_group_name_taken"
    IMPORT_FILE_INVALID = "import_file_invalid"
    IMPORT_FILE_NOT_BASE64 = "import_file_not_base64"
    # The v1 surface's own refusals (its parsing of ids, names and bodies).
    BODY_ID_MISMATCH = "body_id_mismatch"
    RECIPIENT_FIELDS_INVALID = "recipient_fields_invalid"
    GROUP_ID_INVALID = "group_id_invalid"
    RECIPIENT_GROUP_ID_INVALID = "recipient_group_id_invalid"
    GROUP_NAME_PARAMETER_REQUIRED = "group_name_parameter_required"
    GROUP_NAME_PARAMETER_HAS_NULL = "group_name_parameter_has_null"


class RecipientNotFound(NotFound):
    code = RecipientErrorCode.RECIPIENT_NOT_FOUND


class GroupNotFound(NotFound):
    code = RecipientErrorCode.GROUP_NOT_FOUND


class ImportJobNotFound(NotFound):
    code = RecipientErrorCode.IMPORT_JOB_NOT_FOUND


class GroupNotInCompany(InvalidInput):
    code = RecipientErrorCode.GROUP_NOT_IN_COMPANY


class GroupNameRequired(InvalidInput):
    code = RecipientErrorCode.GROUP_NAME_REQUIRED


class GroupNameTaken(Conflict):
    code = RecipientErrorCode.GROUP_NAME_TAKEN


class GroupNotDeletable(InvalidInput):
    """params: reason, one of the names below (v1 words them all alike; the admin tells them apart)."""

    code = RecipientErrorCode.GROUP_NOT_DELETABLE
    DEFAULT = "default"
    IN_ACTIVE_CAMPAIGN = "in_active_campaign"
    IMPORTING = "importing"


class RecipientInActiveCampaign(RuleViolation):
    code = RecipientErrorCode.RECIPIENT_IN_ACTIVE_CAMPAIGN


class RecipientIdsRequired(InvalidInput):
    code = RecipientErrorCode.RECIPIENT_IDS_REQUIRED


class InvalidMappings(InvalidInput):
    code = RecipientErrorCode.MAPPINGS_INVALID


class ImportSourceRequired(RuleViolation):
    code = RecipientErrorCode.IMPORT_SOURCE_REQUIRED


class ImportGroupNameTaken(RuleViolation):
    code = RecipientErrorCode.IMPORT_GROUP_NAME_TAKEN


class BodyIdMismatch(RuleViolation):
    code = RecipientErrorCode.BODY_ID_MISMATCH


class InvalidImportFile(InvalidInput):
    code = RecipientErrorCode.IMPORT_FILE_INVALID
