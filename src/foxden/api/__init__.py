"""The HTTP APIs: each one a sub-application with its own shapes, errors, auth and OpenAPI."""
