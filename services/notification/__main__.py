"""`python -m services.notification`: run the notification service until SIGINT/SIGTERM."""

from services.notification.bootstrap import NotificationSettings, create_app
from services.runtime.settings import read_settings

if __name__ == "__main__":
    create_app(read_settings(NotificationSettings, "notification")).run()
