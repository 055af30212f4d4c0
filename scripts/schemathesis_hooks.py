"""Schemathesis hooks for scripts/schemathesis.sh (loaded through SCHEMATHESIS_HOOKS).

`POST /api/v1/admin/data/import` takes its file as the raw body in the export's
format; schemathesis has no serializer for `application/x-ndjson`, so one is given here:
one JSON value per line.
"""

import json

import schemathesis


@schemathesis.serializer("application/x-ndjson")
def ndjson(ctx, value):
    if value is None:
        return None
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8")
    rows = value if isinstance(value, list) else [value]
    return "".join(json.dumps(row) + "\n" for row in rows).encode("utf-8")


# A raw-text or multipart body cannot break its schema's types on the wire: the import
# body is any text (its rows are checked one by one and reported), and a multipart part
# is bytes, so a "boolean" `files` part is a file holding `true`. Negative cases of
# that kind are dropped; every other negative case still runs.
@schemathesis.hook("filter_body").apply_to(method="POST", path="/api/v1/admin/data/import")
def import_body_is_text(ctx, body):
    return isinstance(body, (str, bytes))


@schemathesis.hook("filter_body").apply_to(method="POST", path="/api/v1/admin/process/batch")
def batch_files_are_files(ctx, body):
    if isinstance(body, dict) and "files" in body:
        return isinstance(body["files"], list)
    return True


# Every operation accepts a bearer token or an X-API-Key; the server reads a key first,
# so a random generated key would turn the run's bearer token into a 401 on most cases.
# The run authenticates with its bearer token only.
@schemathesis.hook
def map_headers(ctx, headers):
    if headers:
        for name in [h for h in headers if h.lower() == "x-api-key"]:
            del headers[name]
    return headers
