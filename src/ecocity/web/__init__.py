"""The planners' dashboard: a FastAPI app, server-rendered (Jinja2 + htmx), over the districts of
a workspace folder, the run store and background jobs. Start it with ``ecocity serve``; build it
with :func:`ecocity.web.app.create_app`. See ``docs/web.md``.
"""
