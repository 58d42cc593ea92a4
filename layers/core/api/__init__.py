"""The HTTP API shared by the Lambda functions and the local server; start at `api.app.create_app`."""
