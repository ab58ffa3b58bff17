"""The status desk: a server-rendered web skin (Starlette, served by uvicorn) over the library.

`app.create_app` builds it; `person` serves the focal points' signed-link pages, `office` the
evaluation office's signed-in view; `security` adds the headers, the redacted access log and
the rate limit; `rendering` holds the Jinja2 environment of templates/web/.
"""
