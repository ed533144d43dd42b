"""Notification service: saga events -> customer notifications, sent once per channel."""
