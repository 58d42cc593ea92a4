"""The local HTTP server: the Lambda functions' API, the dashboard page and Prometheus metrics on one port."""
