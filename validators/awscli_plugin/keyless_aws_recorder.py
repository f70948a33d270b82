"""AWS CLI (v1) plugin used only by the validator suite, never by users.

Loaded through the `[plugins]` section of the throw-away AWS config file the tests
write (AWS_CONFIG_FILE) with this folder on PYTHONPATH. It does two things:

* KEYLESS_AWS_CALL_LOG=FILE: appends one JSON line per API call the CLI makes
  (service, operation, the request parameters after the CLI's own argument
  processing, and the error code of the answer, if any), so a test can check every
  request of infra/setup.sh against the service model and see which calls change
  something;
* KEYLESS_MOTO_ACCOUNT_ID=ACCOUNT: sends the `x-moto-account-id` header, so one
  moto server can play the AWS account that the config names.
"""

import json
import os


def _record(event_name, params, model, **_):
    path = os.environ.get("KEYLESS_AWS_CALL_LOG")
    if not path:
        return
    entry = {
        "event": "request",
        "service": model.service_model.service_name,
        "operation": model.name,
        "params": params,
    }
    with open(path, "a", encoding="utf-8") as log:
        log.write(json.dumps(entry, default=repr) + "\n")


def _record_answer(http_response, parsed, model, **_):
    path = os.environ.get("KEYLESS_AWS_CALL_LOG")
    if not path:
        return
    error = (parsed or {}).get("Error", {}) if isinstance(parsed, dict) else {}
    entry = {
        "event": "answer",
        "service": model.service_model.service_name,
        "operation": model.name,
        "status": getattr(http_response, "status_code", None),
        "error": error.get("Code"),
    }
    with open(path, "a", encoding="utf-8") as log:
        log.write(json.dumps(entry, default=repr) + "\n")


def _moto_account(request, **_):
    account = os.environ.get("KEYLESS_MOTO_ACCOUNT_ID")
    if account:
        request.headers["x-moto-account-id"] = account


def awscli_initialize(event_hooks):
    event_hooks.register("before-parameter-build", _record)
    event_hooks.register("after-call", _record_answer)
    event_hooks.register("before-sign", _moto_account)
