"""Storage backends of the feedback store: SQLite locally, DynamoDB in Lambda."""
