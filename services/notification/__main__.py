"""`python -m services.notification`: run the notification service until SIGINT/SIGTERM."""

from services.notification.bootstrap import NotificationSettings, create_app

if __name__ == "__main__":
    create_app(NotificationSettings()).run()
