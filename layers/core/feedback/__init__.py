"""Feedback: quality scores of responses, the feedback store and retraining."""
