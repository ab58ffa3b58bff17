"""Names vulture cannot see used, for `make deadcode` (vulture at 60% confidence on reminder,
tests and bench). Each is used by a framework, a signature or a caller outside the code."""

from vulture.whitelist_utils import Whitelist

_ = Whitelist()

# pydantic and pydantic-settings read these by name.
_.model_config
_.settings_customise_sources
_.dotenv_settings  # parameters of the overridden signature
_.file_secret_settings

# SQLAlchemy: a TypeDecorator's hooks, and columns only the database and the desk read.
_.impl
_.cache_ok
_.process_bind_param
_.process_result_value
_.ActionUpdate  # shared schema (migration 0006) for the status desk and imports
_.recorded_at
_.actor
_.actor_name
_.old_status
_.new_status
_.comment
_.evidence_url
_.proposed_due_date
_.proposed_deadline_label
_.proposal_reason
_.proposal_state
_.decided_by
_.decided_at
_.decision_note
_.file_name
_.imported_at
_.recipient_name

# Fields of dataclasses printed whole with dataclasses.asdict (JSON output).
_.recommendation_text
_.party_name

# Signal handlers and asyncio/aiosmtpd protocol hooks: called by the library.
_.frame
_.connection_made
_.data_received
_.handle_RCPT
_.handle_DATA
_.rcpt_options
_.mechanism
_.auth_data

# Pending in other engineers' lanes (issue 11), to remove once their branches merge:

# Merged branches: pydantic validators, itsdangerous and Starlette hooks, the sandbox's
# operator table, columns and template attributes read by templates or the database.
_._database_url_from_file
_._links_need_a_key
_.pending_proposal  # templates/web/person.html
_.get_timestamp  # itsdangerous.TimestampSigner override
_.original_due_date
_.updated_at
_.update_url  # templates/email/digest.*
_.intercepted_binops  # jinja2.sandbox.SandboxedEnvironment
_.background  # starlette Response
_.binary_location  # selenium ChromeOptions
_._days_postgresql  # SQLAlchemy @compiles hook (reminder.report.sqltime)
_.font  # openpyxl cell style
_.pytestmark  # pytest reads it by name
_._days_sqlite  # SQLAlchemy @compiles hook (reminder.report.sqltime)
_.inherit_cache  # SQLAlchemy reads it on custom SQL elements
